package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.STAGE_TIMEOUT;
import static io.medallion.workbench.bench.StageContext.awaitCondition;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import io.medallion.workbench.generate.EventGenerator;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.GeneratorSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * {@code end_to_end}: every layer continuously, on a fresh lake that starts at Kafka's current end,
 * while the producer offers events at a steady rate; freshness is followed for the plays topic into
 * the first gold table that reads silver plays. The batch stages say how fast each layer works
 * through a backlog; this one says what a user of the running pipeline sees: how long after it was
 * acknowledged an event is visible in silver and in gold, to a reader polling the tables ({@link
 * TableVisibility}), and, as before, from its send to the end of the gold batch that included it
 * ({@link Freshness}, from the queries' progress).
 *
 * <p>{@code rate_search} runs the same round at rising offered rates and reports the highest at
 * which the p95 from acknowledgement to gold stays within {@link #TARGET_P95_S} seconds.
 */
final class EndToEndStage {
  /** The rate search's bound on the p95 from acknowledgement to visible in gold, in seconds. */
  static final double TARGET_P95_S = 10;

  /** The followed gold table's column that counts silver plays rows, and the rows it counts. */
  private static final String GOLD_COUNT = "plays";

  private static final String COUNTED = "event_type = 'start'";

  private final StageContext context;
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final String servers;
  private final Map<String, String> kafkaConf;
  private final Map<String, String> topics;
  private final Benchmark.Settings settings;

  EndToEndStage(StageContext context) {
    this.context = context;
    this.spark = context.spark();
    this.pipeline = context.pipeline();
    this.servers = context.servers();
    this.kafkaConf = context.kafkaConf();
    this.topics = context.topics();
    this.settings = context.settings();
  }

  /** One round at {@code --e2e-rate} for {@code --e2e-seconds}, in {@code dir}. */
  Sample run(Path dir) throws Exception {
    return run(dir, settings.e2eRate(), settings.e2eSeconds());
  }

  /**
   * {@code rate_search}: one round per rate of {@code --e2e-search-rates}, lowest first, each for
   * {@code --e2e-seconds}, in {@code dir}, until one misses the target. A rate equal to {@code
   * --e2e-rate} is the same round as {@code end_to_end}'s: its median round is taken when it ran.
   * Rows and seconds are the totals of the rounds it reports.
   *
   * @param endToEnd {@code end_to_end}'s median round, or null
   */
  Sample searchRates(Path dir, Sample endToEnd) throws Exception {
    List<Map<String, Object>> tried = new ArrayList<>();
    Double best = null;
    long rows = 0;
    double seconds = 0;
    for (double rate : settings.searchRates()) {
      boolean reused = endToEnd != null && rate == settings.e2eRate();
      Sample sample;
      if (reused) {
        sample = endToEnd;
      } else {
        Path roundDir = dir.resolve("rate-" + Math.round(rate));
        sample = run(roundDir, rate, settings.e2eSeconds());
        context.forget(roundDir);
      }
      rows += sample.rows();
      seconds += sample.seconds();
      Map<String, Object> round = sample.detail();
      double p95 = ((Number) round.get("ack_to_gold_p95_s")).doubleValue();
      boolean met = p95 <= TARGET_P95_S;
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("offered_rate", rate);
      entry.put("sustained_rate", round.get("sustained_rate"));
      entry.put("ack_to_gold_p95_s", p95);
      entry.put("met", met);
      entry.put("round", reused ? "end_to_end" : "own");
      tried.add(entry);
      if (!met) {
        break;
      }
      best = rate;
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("target_ack_to_gold_p95_s", TARGET_P95_S);
    detail.put("seconds_per_rate", settings.e2eSeconds());
    detail.put("rates", tried);
    detail.put("max_rate_within_target", best);
    return new Sample(rows, seconds, 0, 0, detail);
  }

  private Sample run(Path dir, double rate, int producerSeconds) throws Exception {
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
    List<RunningQuery> queries = context.startPipeline(lake);
    Path root = lake.localRoot();
    Path silverTable = root.resolve(Layer.SILVER.folder()).resolve(plays.name());
    String playsTopic = topics.get(EventGenerator.PLAYS);
    Path goldTable = root.resolve(Layer.GOLD.folder()).resolve(gold.name());
    try {
      long warmupEvents = warmUp(queries, playsTopic, silverTable, goldTable, rate);
      try (TableVisibility tables =
          new TableVisibility(spark, playsTopic, silverTable, COUNTED, goldTable, GOLD_COUNT)) {
        Freshness freshness = new Freshness(playsTopic);
        EventProducer.Report produced =
            produce(
                rate,
                producerSeconds,
                1,
                ack -> {
                  freshness.acknowledged(ack);
                  tables.acknowledged(ack);
                });
        long[][] visible = {new long[0]};
        String bronzeTable = plays.source().name();
        String silverUpstream = "/" + Layer.BRONZE.folder() + "/" + bronzeTable;
        String goldUpstream = "/" + Layer.SILVER.folder() + "/" + plays.name();
        Supplier<String> state =
            () ->
                String.format(
                    "%d of %d acknowledged plays visible (batches); %d of %d valid plays visible in"
                        + " %s (polled); batches with rows: %d bronze, %d silver, %d gold",
                    Arrays.stream(visible[0]).filter(v -> v >= 0).count(),
                    visible[0].length,
                    tables.visibleInGold(),
                    tables.followedRecords(),
                    gold.qualifiedName(),
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
                          log.of(SilverRefinement.queryName(plays)), silverTable, silverUpstream),
                      new Freshness.Hop(
                          log.of(GoldAggregation.queryName(gold)), null, goldUpstream));
              return Arrays.stream(visible[0]).allMatch(v -> v >= 0) && tables.allVisibleInGold();
            },
            state);
        long[] sent = freshness.sentAt();
        long[] latency = new long[sent.length];
        long last = tables.lastVisibleInGold();
        for (int i = 0; i < sent.length; i++) {
          latency[i] = visible[0][i] - sent[i];
          last = Math.max(last, visible[0][i]);
        }
        Arrays.sort(latency);
        double seconds = (last - freshness.firstSent()) / 1000.0;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("offered_rate", rate);
        detail.put("sustained_rate", Math.round(produced.acknowledged() / seconds));
        detail.put("producer_seconds", produced.seconds());
        detail.put("warmup_seconds", settings.e2eWarmupSeconds());
        detail.put("warmup_events", warmupEvents);
        detail.put("followed", gold.qualifiedName() + " <- " + plays.qualifiedName());
        detail.put("followed_events", sent.length);
        detail.put("freshness_p50_s", Freshness.percentile(latency, 50) / 1000.0);
        detail.put("freshness_p95_s", Freshness.percentile(latency, 95) / 1000.0);
        detail.put("freshness_p99_s", Freshness.percentile(latency, 99) / 1000.0);
        detail.put("polled_events", tables.followedRecords());
        detail.put("poll_interval_ms", TableVisibility.POLL.toMillis());
        percentiles(detail, "ack_to_silver", tables.latencies(false));
        percentiles(detail, "ack_to_gold", tables.latencies(true));
        detail.put("batches", log.summary(freshness.firstSent()));
        return new Sample(produced.acknowledged(), seconds, 0, 0, detail);
      }
    } finally {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      spark.streams().removeListener(log);
    }
  }

  /**
   * Offers {@code rate} for {@code --e2e-warmup-seconds} and waits until those plays are in gold,
   * so that the measured events meet a running pipeline: the first micro-batches on a fresh lake
   * also create its tables' state, caches and generated code, which a pipeline that runs for days
   * does once. Nothing of the warm-up is measured.
   *
   * @return the warm-up events acknowledged
   */
  private long warmUp(
      List<RunningQuery> queries, String topic, Path silverTable, Path goldTable, double rate)
      throws Exception {
    if (settings.e2eWarmupSeconds() == 0) {
      return 0;
    }
    try (TableVisibility warm =
        new TableVisibility(spark, topic, silverTable, COUNTED, goldTable, GOLD_COUNT)) {
      EventProducer.Report produced = produce(rate, settings.e2eWarmupSeconds(), 2, warm);
      awaitCondition(
          "the warm-up's plays are visible in gold",
          STAGE_TIMEOUT,
          queries,
          warm::allVisibleInGold,
          () ->
              String.format(
                  "%d of %d warm-up plays visible in gold (polled)",
                  warm.visibleInGold(), warm.followedRecords()));
      return produced.acknowledged();
    }
  }

  /**
   * Produces reference events at {@code rate} for {@code seconds}, from the generator seeded {@code
   * seedOffset} past the bench's seed (so that the warm-up's events are not the measured ones).
   */
  private EventProducer.Report produce(
      double rate, int seconds, long seedOffset, EventProducer.AckListener listener) {
    return EventProducer.run(
        servers,
        kafkaConf,
        new GeneratorSettings(
            Math.round(rate * seconds),
            settings.seed() + seedOffset,
            0.01,
            0.02,
            0.02,
            Instant.now(),
            rate,
            1000,
            50_000),
        topics,
        listener);
  }

  private static void percentiles(Map<String, Object> detail, String name, long[] sortedMillis) {
    for (int p : new int[] {50, 95, 99}) {
      detail.put(name + "_p" + p + "_s", Freshness.percentile(sortedMillis, p) / 1000.0);
    }
  }
}
