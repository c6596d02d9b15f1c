package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.awaitCondition;
import static io.medallion.workbench.bench.StageContext.seconds;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.GeneratorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The whole pipeline running continuously under a steady producer for {@code --files-duration},
 * then the data files each table holds: {@code files} as the spec's maintenance policies say (auto
 * compaction on by default), {@code files_baseline} with auto compaction off in every table, which
 * is what the micro-batches leave without it. Neither runs {@code maintain}. Every micro-batch
 * writes files; the pair says how many of them auto compaction saves the readers from.
 */
final class FileCountStages {
  /** Delta's session setting that overrides every table's auto compaction property. */
  private static final String AUTO_COMPACT_ENABLED = "spark.databricks.delta.autoCompact.enabled";

  private final StageContext context;
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final String servers;
  private final Map<String, String> kafkaConf;
  private final Map<String, String> topics;
  private final Benchmark.Settings settings;

  FileCountStages(StageContext context) {
    this.context = context;
    this.spark = context.spark();
    this.pipeline = context.pipeline();
    this.servers = context.servers();
    this.kafkaConf = context.kafkaConf();
    this.topics = context.topics();
    this.settings = context.settings();
  }

  /**
   * One run, in {@code dir}: {@code files} with {@code autoCompaction}, {@code files_baseline}
   * without.
   */
  Sample run(Path dir, boolean autoCompaction) throws Exception {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    if (!autoCompaction) {
      // For the whole stage: writers commit through this session as well as their streams' own.
      spark.conf().set(AUTO_COMPACT_ENABLED, "false");
    }
    long start = System.nanoTime();
    List<RunningQuery> queries = List.of();
    try {
      queries = context.startPipeline(lake);
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
}
