package io.medallion.workbench.bench;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Pipeline;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.Generation;
import io.medallion.workbench.generate.GeneratorSettings;
import io.medallion.workbench.local.Topics;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Measures Medallion's layers against the ceilings (a bare Kafka consumer, Spark's Kafka source)
 * and against the hand-written Spark code a user would write instead, on the same events, in one
 * process. Every batch stage runs {@code warmup} unmeasured rounds, then {@code repeat} measured
 * ones; a stage's time is the median of its measured rounds. Each round works on fresh tables.
 *
 * <p>This class generates the events, runs the rounds, measures each stage and writes the report;
 * the stages are in {@link CeilingStages}, {@link NaiveStages}, {@link LayerStages}, {@link
 * EndToEndStage} and {@link FileCountStages}, sharing one {@link StageContext}.
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
          "rate_search",
          "files_baseline",
          "files",
          "scale");

  /**
   * The stages a run reports unless {@code --stages} says otherwise: all but the file-count pair,
   * which run the pipeline for minutes, and {@code scale}, which fills tables with millions of
   * rows.
   */
  public static final List<String> DEFAULT_STAGES =
      STAGES.subList(0, STAGES.indexOf("files_baseline"));

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
   * @param e2eWarmupSeconds how long it produces at the same rate before that, unmeasured, so that
   *     the measured events meet a running pipeline, not its first micro-batches
   * @param triggerInterval every query's trigger interval in the end-to-end stage
   * @param stages the stages to report; a stage another one needs (silver for gold) still runs,
   *     unreported
   * @param filesRate events per second the producer offers in the file-count stages
   * @param filesDuration how long it produces in each of them
   * @param scaleRows the table sizes the scale stage measures a micro-batch at, ascending
   * @param searchRates the offered rates the rate search tries, ascending; each for {@code
   *     e2eSeconds}
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
      int e2eWarmupSeconds,
      Duration triggerInterval,
      Set<String> stages,
      double filesRate,
      Duration filesDuration,
      List<Long> scaleRows,
      List<Double> searchRates) {}

  /**
   * The stages that measure the reference pipeline's own tables and columns (a naive count per
   * title and day, plays followed into gold, the busy-day tables of the scale stage, the reference
   * events at a rate): a bench of any other pipeline leaves them out.
   */
  public static final List<String> REFERENCE_ONLY =
      List.of("naive_gold", "end_to_end", "rate_search", "files_baseline", "files", "scale");

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
    // The batch stages read the reference events; the later stages produce their own.
    boolean batchStages =
        STAGES.subList(0, STAGES.indexOf("end_to_end")).stream().anyMatch(this::needed);
    if (batchStages) {
      generate();
    }
    StageContext context =
        new StageContext(spark, pipeline, servers, kafkaConf, topics, settings, out, acknowledged);
    CeilingStages ceilings = new CeilingStages(context);
    NaiveStages naive = new NaiveStages(context);
    LayerStages layers = new LayerStages(context);
    EndToEndStage endToEnd = new EndToEndStage(context);
    FileCountStages fileCounts = new FileCountStages(context);
    int rounds = batchStages ? settings.warmup() + settings.repeat() : 0;
    for (int round = 0; round < rounds; round++) {
      boolean measured = round >= settings.warmup();
      out.printf(
          "%s round %d of %d%n",
          measured ? "Measured" : "Warm-up",
          measured ? round - settings.warmup() + 1 : round + 1,
          measured ? settings.repeat() : settings.warmup());
      out.flush();
      Path dir = settings.out().resolve("work").resolve("round-" + round);
      measure("kafka_consumer", measured, ceilings::kafkaConsumer);
      measure("spark_kafka_noop", measured, () -> ceilings.sparkKafkaNoop(dir));
      measure("naive_bronze", measured, () -> naive.bronze(dir));
      measure("naive_silver", measured, () -> naive.silver(dir));
      measure("naive_gold", measured, () -> naive.gold(dir));
      LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
      measure("bronze", measured, () -> layers.bronze(lake));
      Map<String, Long> silverWritten = new LinkedHashMap<>();
      measure("silver", measured, () -> layers.silver(lake, silverWritten));
      measure("gold", measured, () -> layers.gold(lake, silverWritten));
      context.forget(dir);
    }
    for (int round = 0; round < settings.repeat() && needed("end_to_end"); round++) {
      Path dir = settings.out().resolve("work").resolve("end-to-end-" + round);
      measure("end_to_end", true, () -> endToEnd.run(dir));
      context.forget(dir);
    }
    Path searchDir = settings.out().resolve("work").resolve("rate-search");
    measure("rate_search", true, () -> endToEnd.searchRates(searchDir, median("end_to_end")));
    context.forget(searchDir);
    Path filesDir = settings.out().resolve("work").resolve("files");
    measure("files_baseline", true, () -> fileCounts.run(filesDir, false));
    context.forget(filesDir);
    measure("files", true, () -> fileCounts.run(filesDir, true));
    context.forget(filesDir);
    Path scaleDir = settings.out().resolve("work").resolve("scale");
    measure("scale", true, () -> new ScaleStage(context).run(scaleDir));
    context.forget(scaleDir);
    deleteTree(settings.out().resolve("work"));
    BenchReport report = BenchReport.of(samplesByStage(), environment());
    report.write(settings.out());
    return report;
  }

  /** Produces the events the batch stages read, once for all their rounds. */
  private void generate() {
    out.printf(
        "Generating %,d %s (seed %d)...%n",
        settings.events(),
        Generation.isReference(pipeline) ? "reference events" : "records from the payload schemas",
        settings.seed());
    out.flush();
    GeneratorSettings generatorSettings =
        new GeneratorSettings(
            settings.events(), settings.seed(), 0.01, 0.02, 0.02, Instant.now(), 0, 1000, 50_000);
    EventProducer.Report produced =
        EventProducer.run(
            servers,
            kafkaConf,
            generatorSettings,
            Generation.generatorFor(pipeline, generatorSettings),
            topics,
            null);
    if (produced.failed() > 0) {
      throw new MedallionException(
          produced.failed() + " of the benchmark's sends were not acknowledged.",
          "Check the broker's log in the benchmark's kafka directory, then run again.");
    }
    acknowledged = produced.acknowledgedByTopic();
    out.printf(
        "Acknowledged %,d records %s in %.1f s%n",
        produced.acknowledged(), acknowledged, produced.seconds());
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

  /** A stage's median measured round, or null if it was not measured. */
  private Sample median(String stage) {
    List<Sample> measured = samples.getOrDefault(stage, List.of());
    if (measured.isEmpty()) {
      return null;
    }
    List<Sample> sorted =
        measured.stream().sorted(Comparator.comparingDouble(Sample::seconds)).toList();
    return sorted.get((sorted.size() - 1) / 2);
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
            + (settings.stages().contains("rate_search")
                ? " rate_search then runs end_to_end at each of "
                    + settings.searchRates()
                    + " events/s, lowest first, until the p95 from acknowledgement to gold"
                    + " exceeds "
                    + EndToEndStage.TARGET_P95_S
                    + " s; a rate equal to --e2e-rate takes end_to_end's median round."
                : "")
            + (settings.stages().contains("files")
                ? " files_baseline and files run once each, at the end."
                : "")
            + (settings.stages().contains("scale")
                ? " scale measures "
                    + settings.repeat()
                    + " micro-batches of "
                    + ScaleStage.BATCH_EVENTS
                    + " events per table size, after one unmeasured batch, and reports each"
                    + " layer's median batch latency."
                : ""));
    env.put("e2e_rate", settings.e2eRate());
    env.put("e2e_seconds", settings.e2eSeconds());
    env.put("e2e_warmup_seconds", settings.e2eWarmupSeconds());
    env.put("e2e_search_rates", settings.searchRates());
    env.put("trigger_interval", settings.triggerInterval().toString());
    env.put("files_rate", settings.filesRate());
    env.put("files_duration", settings.filesDuration().toString());
    env.put("scale_rows", settings.scaleRows());
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
