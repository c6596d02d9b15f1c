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
 * sent an event is visible in gold.
 */
final class EndToEndStage {
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

  /** One round, in {@code dir}. */
  Sample run(Path dir) throws Exception {
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
}
