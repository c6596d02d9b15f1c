package io.medallion.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import io.delta.tables.DeltaTable;
import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.core.spec.StartingOffsets;
import io.medallion.gold.GoldAggregation;
import io.medallion.jobs.cli.RunCommand;
import io.medallion.jobs.generate.EventGenerator;
import io.medallion.jobs.generate.EventProducer;
import io.medallion.jobs.generate.GeneratorSettings;
import io.medallion.jobs.local.Topics;
import io.medallion.silver.SilverRefinement;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * Measures Medallion's layers against the ceilings (a bare Kafka consumer, Spark's Kafka source)
 * and against the hand-written Spark code a user would write instead, on the same events, in one
 * process. Every batch stage runs {@code warmup} unmeasured rounds, then {@code repeat} measured
 * ones; a stage's time is the median of its measured rounds. Each round works on fresh tables.
 */
public final class Benchmark {
  /** Stage names, in report order; the public contract of the report. */
  public static final List<String> STAGES =
      List.of(
          "kafka_consumer",
          "spark_kafka_noop",
          "naive_bronze",
          "naive_silver",
          "naive_gold",
          "bronze",
          "silver",
          "gold",
          "end_to_end",
          "files_baseline",
          "files");

  /**
   * The stages a run reports unless {@code --stages} says otherwise: all but the file-count pair,
   * which run the pipeline for minutes.
   */
  public static final List<String> DEFAULT_STAGES =
      STAGES.subList(0, STAGES.indexOf("files_baseline"));

  /** Delta's session setting that overrides every table's auto compaction property. */
  private static final String AUTO_COMPACT_ENABLED = "spark.databricks.delta.autoCompact.enabled";

  private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(30);

  /**
   * What to run.
   *
   * @param events reference events to generate for the batch stages
   * @param partitions partitions per topic (0: the spec's)
   * @param seed the generator's seed
   * @param repeat measured rounds per stage
   * @param warmup unmeasured rounds before them
   * @param out where the report goes; rounds work in {@code out/work}
   * @param e2eRate events per second the producer offers in the end-to-end stage
   * @param e2eSeconds how long it produces
   * @param triggerInterval every query's trigger interval in the end-to-end stage
   * @param stages the stages to report; a stage another one needs (silver for gold) still runs,
   *     unreported
   * @param filesRate events per second the producer offers in the file-count stages
   * @param filesDuration how long it produces in each of them
   */
  public record Settings(
      long events,
      int partitions,
      long seed,
      int repeat,
      int warmup,
      Path out,
      double e2eRate,
      int e2eSeconds,
      Duration triggerInterval,
      Set<String> stages,
      double filesRate,
      Duration filesDuration) {}

  /** What each stage needs to have run before it, on the same round's tables. */
  private static final Map<String, String> NEEDS =
      Map.of("naive_gold", "naive_silver", "silver", "bronze", "gold", "silver");

  private final SparkSession spark;
  private final Pipeline pipeline;
  private final String servers;
  private final Map<String, String> kafkaConf;
  private final Map<String, String> topics;
  private final Settings settings;
  private final PrintWriter out;
  private final MemoryPeaks memory = new MemoryPeaks();
  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
  private Map<String, Long> acknowledged = Map.of();

  /** One measured round of one stage. */
  private record Sample(
      long rows, double seconds, long heap, long rss, Map<String, Object> detail) {}

  /**
   * @param topics the generator's topic names mapped to the cluster's
   */
  public Benchmark(
      SparkSession spark,
      Pipeline pipeline,
      String servers,
      Map<String, String> kafkaConf,
      Map<String, String> topics,
      Settings settings,
      PrintWriter out) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.servers = servers;
    this.kafkaConf = kafkaConf;
    this.topics = topics;
    this.settings = settings;
    this.out = out;
  }

  /** Generates the events, runs every stage, and writes the report. */
  public BenchReport run() {
    spark.conf().set("spark.sql.streaming.numRecentProgressUpdates", "100000");
    // Tables and checkpoints left by an interrupted run would resume against the fresh broker.
    deleteTree(settings.out().resolve("work"));
    Topics.ensure(servers, pipeline, settings.partitions());
    out.printf(
        "Generating %,d reference events (seed %d)...%n", settings.events(), settings.seed());
    out.flush();
    EventProducer.Report produced =
        EventProducer.run(
            servers,
            kafkaConf,
            new GeneratorSettings(
                settings.events(),
                settings.seed(),
                0.01,
                0.02,
                0.02,
                Instant.now(),
                0,
                1000,
                50_000),
            topics);
    if (produced.failed() > 0) {
      throw new MedallionException(
          produced.failed() + " of the benchmark's sends were not acknowledged.",
          "Check the broker's log in the benchmark's kafka directory, then run again.");
    }
    acknowledged = produced.acknowledgedByTopic();
    out.printf(
        "Acknowledged %,d records %s in %.1f s%n",
        produced.acknowledged(), acknowledged, produced.seconds());
    int rounds = settings.warmup() + settings.repeat();
    for (int round = 0; round < rounds; round++) {
      boolean measured = round >= settings.warmup();
      out.printf(
          "%s round %d of %d%n",
          measured ? "Measured" : "Warm-up",
          measured ? round - settings.warmup() + 1 : round + 1,
          measured ? settings.repeat() : settings.warmup());
      out.flush();
      Path dir = settings.out().resolve("work").resolve("round-" + round);
      measure("kafka_consumer", measured, this::kafkaConsumer);
      measure("spark_kafka_noop", measured, () -> sparkKafkaNoop(dir));
      measure("naive_bronze", measured, () -> naiveBronze(dir));
      measure("naive_silver", measured, () -> naiveSilver(dir));
      measure("naive_gold", measured, () -> naiveGold(dir));
      LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
      measure("bronze", measured, () -> bronze(lake));
      Map<String, Long> silverWritten = new LinkedHashMap<>();
      measure("silver", measured, () -> silver(lake, silverWritten));
      measure("gold", measured, () -> gold(lake, silverWritten));
      forget(dir);
    }
    for (int round = 0; round < settings.repeat() && needed("end_to_end"); round++) {
      Path dir = settings.out().resolve("work").resolve("end-to-end-" + round);
      measure("end_to_end", true, () -> endToEnd(dir));
      forget(dir);
    }
    Path filesDir = settings.out().resolve("work").resolve("files");
    measure("files_baseline", true, () -> files(filesDir, false));
    forget(filesDir);
    measure("files", true, () -> files(filesDir, true));
    forget(filesDir);
    deleteTree(settings.out().resolve("work"));
    BenchReport report = BenchReport.of(samplesByStage(), environment());
    report.write(settings.out());
    return report;
  }

  private interface Stage {
    Sample run() throws Exception;
  }

  /** Whether a stage is reported, or a reported stage needs it. */
  private boolean needed(String stage) {
    return settings.stages().contains(stage)
        || NEEDS.entrySet().stream()
            .anyMatch(e -> e.getValue().equals(stage) && needed(e.getKey()));
  }

  private void measure(String name, boolean measuredRound, Stage stage) {
    if (!needed(name)) {
      return;
    }
    boolean measured = measuredRound && settings.stages().contains(name);
    System.gc();
    memory.reset();
    Sample sample;
    try {
      sample = stage.run();
    } catch (MedallionException e) {
      throw e;
    } catch (Exception e) {
      throw new MedallionException(
          "The benchmark's stage " + name + " failed: " + e.getMessage(),
          "Run again with --verbose to see where; the broker's data stays in --out.",
          e);
    }
    Sample full =
        new Sample(sample.rows(), sample.seconds(), memory.heap(), memory.rss(), sample.detail());
    out.printf(
        "  %-18s %,12d rows %8.2f s %,12.0f rows/s%s%n",
        name,
        full.rows(),
        full.seconds(),
        full.rows() / full.seconds(),
        measured
            ? ""
            : measuredRound
                ? "  (needed by a later stage, not reported)"
                : "  (warm-up, not counted)");
    out.flush();
    if (measured) {
      samples.computeIfAbsent(name, k -> new ArrayList<>()).add(full);
      // Written after every stage, so that a later stage's failure keeps what was measured.
      BenchReport.of(samplesByStage(), environment()).write(settings.out());
    }
  }

  private Map<String, List<BenchReport.Round>> samplesByStage() {
    Map<String, List<BenchReport.Round>> byStage = new LinkedHashMap<>();
    for (String stage : STAGES) {
      List<BenchReport.Round> rounds = new ArrayList<>();
      for (Sample s : samples.getOrDefault(stage, List.of())) {
        rounds.add(new BenchReport.Round(s.rows(), s.seconds(), s.heap(), s.rss(), s.detail()));
      }
      byStage.put(stage, rounds);
    }
    return byStage;
  }

  private long totalAcknowledged() {
    return acknowledged.values().stream().mapToLong(Long::longValue).sum();
  }

  // ---- ceilings ----

  private Sample kafkaConsumer() {
    Properties p = new Properties();
    p.putAll(kafkaConf);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long start = System.nanoTime();
    long rows = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : acknowledged.keySet()) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          parts.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long expected = 0;
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(parts).entrySet()) {
        expected += end.getValue() - begin.get(end.getKey());
      }
      long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
      while (rows < expected) {
        rows += consumer.poll(Duration.ofMillis(500)).count();
        if (System.nanoTime() > deadline) {
          throw new MedallionException(
              "The Kafka consumer read " + rows + " of " + expected + " records in time.",
              "Check the local broker.");
        }
      }
    }
    return new Sample(rows, seconds(start), 0, 0, Map.of());
  }

  private Dataset<Row> kafkaStream() {
    var reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", servers)
            .option("subscribe", String.join(",", acknowledged.keySet()))
            .option("startingOffsets", "earliest");
    for (Map.Entry<String, String> e : kafkaConf.entrySet()) {
      reader = reader.option("kafka." + e.getKey(), e.getValue());
    }
    return reader.load();
  }

  private Sample sparkKafkaNoop(Path dir) throws Exception {
    long start = System.nanoTime();
    StreamingQuery q =
        kafkaStream()
            .writeStream()
            .format("noop")
            .queryName("bench_spark_kafka_noop")
            .option("checkpointLocation", dir.resolve("noop-checkpoint").toString())
            .trigger(Trigger.AvailableNow())
            .start();
    await(q);
    return new Sample(rows(q), seconds(start), 0, 0, Map.of());
  }

  // ---- what a user would write by hand ----

  private Sample naiveBronze(Path dir) throws Exception {
    long start = System.nanoTime();
    StreamingQuery q =
        kafkaStream()
            .writeStream()
            .format("delta")
            .queryName("bench_naive_bronze")
            .option("checkpointLocation", dir.resolve("naive/_checkpoints/bronze").toString())
            .trigger(Trigger.AvailableNow())
            .start(dir.resolve("naive/bronze").toString());
    await(q);
    return new Sample(rows(q), seconds(start), 0, 0, Map.of());
  }

  private Sample naiveSilver(Path dir) throws InterruptedException {
    long start = System.nanoTime();
    long rows = 0;
    Map<String, Object> read = new LinkedHashMap<>();
    for (SilverTable table : pipeline.silverTables()) {
      StructType schema =
          StructType.fromDDL(
              String.join(
                  ", ",
                  table.payload().fields().stream().map(f -> f.name() + " " + f.type()).toList()));
      Observation observed = new Observation("naive_silver_" + table.name());
      Dataset<Row> parsed =
          spark
              .read()
              .format("delta")
              .load(dir.resolve("naive/bronze").toString())
              .where(col("topic").equalTo(table.source().source().topic()))
              .observe(observed, count(lit(1)).as("rows"))
              .select(from_json(col("value").cast("string"), schema).as("e"))
              .select("e.*");
      List<String> keys = table.write().keys();
      parsed
          .dropDuplicates(keys.toArray(String[]::new))
          .write()
          .format("delta")
          .mode("overwrite")
          .save(dir.resolve("naive/silver/" + table.name()).toString());
      long n = ((Number) observed.getAsJava().get("rows")).longValue();
      read.put(table.qualifiedName(), n);
      rows += n;
    }
    double seconds = seconds(start);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    detail.put("written", counts(dir.resolve("naive/silver"), factTables()));
    return new Sample(rows, seconds, 0, 0, detail);
  }

  private Sample naiveGold(Path dir) throws InterruptedException {
    long start = System.nanoTime();
    long rows = 0;
    for (SilverTable table : factTables()) {
      Observation observed = new Observation("naive_gold_" + table.name());
      spark
          .read()
          .format("delta")
          .load(dir.resolve("naive/silver/" + table.name()).toString())
          .observe(observed, count(lit(1)).as("rows"))
          .groupBy(col("title_id"), to_date(col("event_time")).as("event_date"))
          .count()
          .write()
          .format("delta")
          .mode("overwrite")
          .save(dir.resolve("naive/gold/" + table.name() + "_daily").toString());
      rows += ((Number) observed.getAsJava().get("rows")).longValue();
    }
    return new Sample(rows, seconds(start), 0, 0, Map.of());
  }

  /** The silver tables of events that gold aggregates: the append-only ones. */
  private List<SilverTable> factTables() {
    return pipeline.silverTables().stream()
        .filter(t -> t.write().mode() == WriteMode.APPEND)
        .toList();
  }

  // ---- Medallion ----

  private Sample bronze(LakeLayout lake) throws Exception {
    long start = System.nanoTime();
    BronzeIngestion ingestion =
        new BronzeIngestion(
            spark,
            lake,
            new IngestOptions(
                servers,
                kafkaConf,
                true,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false));
    List<RunningQuery> queries =
        ingestion.startAll(pipeline.bronzeTables(), pipeline.maintenance());
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    return new Sample(rows(queries), seconds(start), 0, 0, Map.of());
  }

  private Sample silver(LakeLayout lake, Map<String, Long> written) throws Exception {
    long start = System.nanoTime();
    SilverRefinement refinement = new SilverRefinement(spark, pipeline, lake);
    List<RunningQuery> queries =
        refinement.startAll(pipeline.silverTables(), true, Optional.empty());
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    double seconds = seconds(start);
    Map<String, Object> read = new LinkedHashMap<>();
    for (RunningQuery q : queries) {
      read.put(q.name(), rows(q.query()));
    }
    for (SilverTable table : pipeline.silverTables()) {
      written.put(
          table.qualifiedName(),
          spark.read().format("delta").load(lake.table(Layer.SILVER, table.name())).count());
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    detail.put("written", new LinkedHashMap<>(written));
    return new Sample(rows(queries), seconds, 0, 0, detail);
  }

  /**
   * Gold's rows are the silver events it aggregates; each fact table must have been read whole by
   * the gold queries that read it.
   */
  private Sample gold(LakeLayout lake, Map<String, Long> silverWritten) throws Exception {
    long start = System.nanoTime();
    GoldAggregation aggregation = new GoldAggregation(spark, pipeline, lake);
    List<RunningQuery> queries =
        aggregation.startAll(pipeline.goldTables(), true, Optional.empty());
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    double seconds = seconds(start);
    long rows = 0;
    Map<String, Object> read = new LinkedHashMap<>();
    for (SilverTable fact : factTables()) {
      String suffix = "/" + Layer.SILVER.folder() + "/" + fact.name();
      long most = 0;
      for (RunningQuery q : queries) {
        long n = 0;
        for (StreamingQueryProgress p : q.query().recentProgress()) {
          for (var source : p.sources()) {
            if (source.description().replaceAll("\\]$", "").endsWith(suffix)) {
              n += source.numInputRows();
            }
          }
        }
        most = Math.max(most, n);
      }
      read.put(fact.qualifiedName(), most);
      rows += most;
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    return new Sample(rows, seconds, 0, 0, detail);
  }

  /**
   * Every layer continuously, on a fresh lake that starts at Kafka's current end, while the
   * producer offers events at a steady rate; freshness is followed for the plays topic into the
   * first gold table that reads silver plays.
   */
  private Sample endToEnd(Path dir) throws Exception {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    SilverTable plays =
        pipeline.silverTables().stream()
            .filter(t -> t.source().source().topic().equals(topics.get(EventGenerator.PLAYS)))
            .findFirst()
            .orElseThrow();
    GoldTable gold =
        pipeline.goldTables().stream()
            .filter(t -> t.sources().contains(plays.qualifiedName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new MedallionException(
                        "No gold table reads " + plays.qualifiedName() + ".",
                        "The end-to-end stage follows plays into gold; use the reference"
                            + " pipeline."));
    BatchLog log = new BatchLog();
    spark.streams().addListener(log);
    List<RunningQuery> queries = startPipeline(lake);
    try {
      Freshness freshness = new Freshness(topics.get(EventGenerator.PLAYS));
      long events = Math.round(settings.e2eRate() * settings.e2eSeconds());
      EventProducer.Report produced =
          EventProducer.run(
              servers,
              kafkaConf,
              new GeneratorSettings(
                  events,
                  settings.seed() + 1,
                  0.01,
                  0.02,
                  0.02,
                  Instant.now(),
                  settings.e2eRate(),
                  1000,
                  50_000),
              topics,
              freshness);
      long[][] visible = {new long[0]};
      Path root = lake.localRoot();
      String bronzeTable = plays.source().name();
      String silverUpstream = "/" + Layer.BRONZE.folder() + "/" + bronzeTable;
      String goldUpstream = "/" + Layer.SILVER.folder() + "/" + plays.name();
      Supplier<String> state =
          () ->
              String.format(
                  "%d of %d acknowledged plays visible; batches with rows: %d bronze, %d silver,"
                      + " %d gold",
                  Arrays.stream(visible[0]).filter(v -> v >= 0).count(),
                  visible[0].length,
                  log.of(BronzeIngestion.queryName(plays.source())).size(),
                  log.of(SilverRefinement.queryName(plays)).size(),
                  log.of(GoldAggregation.queryName(gold)).size());
      awaitCondition(
          "every acknowledged play is visible in " + gold.qualifiedName(),
          STAGE_TIMEOUT,
          queries,
          () -> {
            visible[0] =
                freshness.visibleAt(
                    new Freshness.Hop(
                        log.of(BronzeIngestion.queryName(plays.source())),
                        root.resolve(Layer.BRONZE.folder()).resolve(bronzeTable),
                        null),
                    new Freshness.Hop(
                        log.of(SilverRefinement.queryName(plays)),
                        root.resolve(Layer.SILVER.folder()).resolve(plays.name()),
                        silverUpstream),
                    new Freshness.Hop(log.of(GoldAggregation.queryName(gold)), null, goldUpstream));
            return Arrays.stream(visible[0]).allMatch(v -> v >= 0);
          },
          state);
      long[] sent = freshness.sentAt();
      long[] latency = new long[sent.length];
      long last = 0;
      for (int i = 0; i < sent.length; i++) {
        latency[i] = visible[0][i] - sent[i];
        last = Math.max(last, visible[0][i]);
      }
      Arrays.sort(latency);
      double seconds = (last - freshness.firstSent()) / 1000.0;
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("offered_rate", settings.e2eRate());
      detail.put("producer_seconds", produced.seconds());
      detail.put("followed", gold.qualifiedName() + " <- " + plays.qualifiedName());
      detail.put("followed_events", sent.length);
      detail.put("freshness_p50_s", Freshness.percentile(latency, 50) / 1000.0);
      detail.put("freshness_p95_s", Freshness.percentile(latency, 95) / 1000.0);
      detail.put("freshness_p99_s", Freshness.percentile(latency, 99) / 1000.0);
      detail.put("batches", log.summary());
      return new Sample(produced.acknowledged(), seconds, 0, 0, detail);
    } finally {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      spark.streams().removeListener(log);
    }
  }

  /**
   * The whole pipeline running continuously under a steady producer for {@code --files-duration},
   * then the data files each table holds: {@code files} as the spec's maintenance policies say
   * (auto compaction on by default), {@code files_baseline} with auto compaction off in every
   * table, which is what the micro-batches leave without it. Neither runs {@code maintain}.
   */
  private Sample files(Path dir, boolean autoCompaction) throws Exception {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    if (!autoCompaction) {
      // For the whole stage: writers commit through this session as well as their streams' own.
      spark.conf().set(AUTO_COMPACT_ENABLED, "false");
    }
    long start = System.nanoTime();
    List<RunningQuery> queries = List.of();
    try {
      queries = startPipeline(lake);
      List<RunningQuery> started = queries;
      long seconds = settings.filesDuration().toSeconds();
      EventProducer.Report produced =
          EventProducer.run(
              servers,
              kafkaConf,
              new GeneratorSettings(
                  Math.round(settings.filesRate() * seconds),
                  settings.seed() + 2,
                  0.01,
                  0.02,
                  0.02,
                  Instant.now(),
                  settings.filesRate(),
                  1000,
                  50_000),
              topics);
      long producedAt = System.currentTimeMillis();
      // Caught up: every query has reported a batch without input since the producer stopped.
      awaitCondition(
          "every query caught up with the producer",
          Duration.ofMinutes(5),
          started,
          () ->
              started.stream()
                  .map(q -> q.query().lastProgress())
                  .allMatch(
                      p ->
                          p != null
                              && p.numInputRows() == 0
                              && Instant.parse(p.timestamp()).toEpochMilli() > producedAt),
          () -> "");
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      double elapsed = seconds(start);
      Map<String, Object> files = new LinkedHashMap<>();
      Map<String, Object> commits = new LinkedHashMap<>();
      Map<String, Object> compactions = new LinkedHashMap<>();
      long total = 0;
      for (String table : pipeline.maintainedTables()) {
        String path = lake.location(table);
        if (!DeltaTable.isDeltaTable(spark, path)) {
          continue;
        }
        long n = spark.sql("DESCRIBE DETAIL delta.`" + path + "`").first().getAs("numFiles");
        Dataset<Row> history = DeltaTable.forPath(spark, path).history();
        files.put(table, n);
        commits.put(table, history.count());
        compactions.put(
            table,
            history.where("operation = 'OPTIMIZE' AND operationParameters.auto = 'true'").count());
        total += n;
      }
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("auto_compaction", autoCompaction);
      detail.put("offered_rate", settings.filesRate());
      detail.put("producer_seconds", produced.seconds());
      detail.put("files_total", total);
      detail.put("files", files);
      detail.put("commits", commits);
      detail.put("auto_compactions", compactions);
      return new Sample(produced.acknowledged(), elapsed, 0, 0, detail);
    } finally {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      spark.conf().unset(AUTO_COMPACT_ENABLED);
    }
  }

  // ---- helpers ----

  /**
   * Starts every layer's queries continuously on a fresh lake that starts at Kafka's current end,
   * and waits until each has run its first trigger.
   */
  private List<RunningQuery> startPipeline(LakeLayout lake) throws Exception {
    Optional<Duration> interval = Optional.of(settings.triggerInterval());
    IngestOptions options =
        new IngestOptions(
            servers,
            kafkaConf,
            false,
            interval,
            Optional.empty(),
            Optional.of(StartingOffsets.LATEST),
            false);
    List<RunningQuery> queries =
        RunCommand.startContinuous(spark, pipeline, lake, options, interval);
    try {
      awaitCondition(
          "every query ran its first trigger",
          Duration.ofMinutes(2),
          queries,
          () -> queries.stream().allMatch(q -> q.query().lastProgress() != null),
          () -> "");
    } catch (Exception e) {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      throw e;
    }
    return queries;
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  /** Waits for a condition with a deadline, failing early if a query failed. */
  private static void awaitCondition(
      String what,
      Duration timeout,
      List<RunningQuery> queries,
      Condition condition,
      Supplier<String> state)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      for (RunningQuery q : queries) {
        if (q.query().exception().isDefined()) {
          throw q.query().exception().get();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "Gave up waiting until " + what + " after " + timeout + ". " + state.get());
      }
      try {
        queries.get(0).query().awaitTermination(500);
      } catch (StreamingQueryException e) {
        throw e;
      }
    }
  }

  private static void await(StreamingQuery q) throws Exception {
    if (!q.awaitTermination(STAGE_TIMEOUT.toMillis())) {
      q.stop();
      throw new TimeoutException(q.name() + " did not finish within " + STAGE_TIMEOUT);
    }
  }

  private static long rows(StreamingQuery q) {
    return Arrays.stream(q.recentProgress()).mapToLong(StreamingQueryProgress::numInputRows).sum();
  }

  private static long rows(List<RunningQuery> queries) {
    return queries.stream().mapToLong(q -> rows(q.query())).sum();
  }

  private Map<String, Object> counts(Path dir, List<SilverTable> tables) {
    Map<String, Object> counts = new LinkedHashMap<>();
    for (SilverTable t : tables) {
      counts.put(
          t.qualifiedName(),
          spark.read().format("delta").load(dir.resolve(t.name()).toString()).count());
    }
    return counts;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("events", settings.events());
    env.put("acknowledged", new LinkedHashMap<>(acknowledged));
    env.put("partitions", settings.partitions() > 0 ? settings.partitions() : "spec");
    env.put("seed", settings.seed());
    env.put("repeat", settings.repeat());
    env.put("warmup_rounds", settings.warmup());
    env.put(
        "method",
        "every batch stage runs "
            + settings.warmup()
            + " unmeasured warm-up round(s), then "
            + settings.repeat()
            + " measured rounds on fresh tables; the median round is reported."
            + (settings.stages().contains("end_to_end")
                ? " end_to_end runs "
                    + settings.repeat()
                    + " times after them, in the warm process."
                : "")
            + (settings.stages().contains("files")
                ? " files_baseline and files run once each, at the end."
                : ""));
    env.put("e2e_rate", settings.e2eRate());
    env.put("e2e_seconds", settings.e2eSeconds());
    env.put("trigger_interval", settings.triggerInterval().toString());
    env.put("files_rate", settings.filesRate());
    env.put("files_duration", settings.filesDuration().toString());
    env.put("cores", Runtime.getRuntime().availableProcessors());
    env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    env.put("rss_peak_per_stage", memory.rssSinceReset());
    env.put("java", System.getProperty("java.version"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    env.put("spark", spark.version());
    env.put("spark_master", spark.sparkContext().master());
    env.put("date", Instant.now().toString());
    return env;
  }

  /**
   * Deletes a round's tables and what the session still holds of them: Delta keeps each table's log
   * and cached state in memory, and without this every round would run with the garbage of the
   * rounds before it.
   */
  private void forget(Path dir) {
    deleteTree(dir);
    DeltaLog.clearCache();
    spark.catalog().clearCache();
  }

  /** Deletes a directory and everything in it, if it is there. */
  public static void deleteTree(Path dir) {
    // A stopped query's last tasks may still be finishing a file when stop() returns: walk again
    // until nothing is left, within a deadline.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (DirectoryNotEmptyException | NoSuchFileException | UncheckedIOException e) {
        if (System.nanoTime() > deadline) {
          throw new MedallionException(
              "Could not delete " + dir + ": something is still writing in it.",
              "Stop whatever writes there and delete it by hand.",
              e);
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
