package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.PipelineProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reliability.md row 4: the whole reference pipeline ({@code lakehouse run}) under a steady
 * producer, killed with {@code kill -9} at a seeded random moment, cycle after cycle; after each
 * kill a restart runs to the end and the oracle must hold over every table.
 *
 * <p>In the first cycle, {@code lakehouse maintain} (OPTIMIZE and VACUUM of every table) runs
 * beside the streaming pipeline before the kill (docs/reliability.md row 16, and the maintenance
 * test of the operations issue): it compacts, the streaming readers go on, and the oracle still
 * holds.
 *
 * <p>{@code -Dmedallion.soak.cycles=N} sets the number of cycles (default 2, so the default suite
 * stays short; the soak run in docs/reliability.md used 20); {@code -Dmedallion.soak.seed=S} the
 * seed of the kill times and the events.
 */
class SoakIT {
  private static final int CYCLES = Integer.getInteger("medallion.soak.cycles", 2);
  private static final long SEED = Long.getLong("medallion.soak.seed", 42);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void randomKillsUnderASteadyProducerNeverLoseOrDoubleAnything() throws Exception {
    Path spec = ReferenceSpec.playsOnly(dir, "soak-");
    Path lakeDir = dir.resolve("lake");
    ReferenceEvents events = new ReferenceEvents(spec, "soak-");
    Random random = new Random(SEED);
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      // 1. The pipeline runs continuously while 1,500 events arrive over 25 s.
      CompletableFuture<Void> producing = events.produceInBackground(1_500, SEED + cycle, 60);
      Path log = dir.resolve("cycle-" + cycle + ".log");
      int uiPort = freePort();
      Process run =
          LakehouseProcess.start(
              log,
              List.of(),
              "run",
              spec,
              lakeDir,
              "--trigger-interval",
              "1s",
              "--conf",
              "spark.ui.enabled=true",
              "--conf",
              "spark.ui.port=" + uiPort);

      // 2. In the first cycle, maintenance compacts the tables while the pipeline streams.
      if (cycle == 0) {
        maintainWhileStreaming(spec, lakeDir, run, log, events);
        checkSparkMetrics(uiPort);
      }

      // 3. kill -9 at a random moment: before the first batch, mid-batch, between batches.
      Duration killAt =
          PipelineProcess.between(
              random,
              Duration.ofSeconds(cycle == 0 ? 0 : 5),
              Duration.ofSeconds(cycle == 0 ? 5 : 20));
      boolean exited = run.waitFor(killAt.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(exited).as("still running at the kill: " + Files.readString(log)).isFalse();
      assertThat(PipelineProcess.kill9(run)).isEqualTo(137);
      producing.get(2, TimeUnit.MINUTES);

      // 4. A restart (in this JVM, already warm) runs to the end; the oracle holds everywhere.
      Cli.Result restart = Cli.run(spec, lakeDir, "run", "--once");
      assertThat(restart.exit())
          .as("cycle " + cycle + " (killed after " + killAt + "): " + restart.output())
          .isZero();
      ReferenceOracle.check(spark, spec, lakeDir, events.acknowledged(), events.acknowledged());
    }
  }

  /**
   * Waits for micro-batches to leave small files, runs {@code lakehouse maintain} on the tables
   * streaming queries read, beside the running pipeline, checks that it compacted, and that the
   * streaming readers downstream go on past the compactions (new events reach silver).
   */
  private void maintainWhileStreaming(
      Path spec, Path lakeDir, Process run, Path log, ReferenceEvents events) throws Exception {
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    String bronzePlays = lake.table(Layer.BRONZE, "plays");
    String silverPlays = lake.table(Layer.SILVER, "plays");
    // A slow start can take the whole background production in one batch: until there are
    // several batches, a few more events arrive between polls.
    AtomicLong burst = new AtomicLong(SEED + 2_000);
    await("small files in bronze.plays and a first batch in silver.plays; " + log)
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(2))
        .failFast("the pipeline stopped: " + tail(log), () -> !run.isAlive())
        .ignoreExceptions()
        .until(
            () -> {
              if (files(bronzePlays) >= 3 && version(silverPlays) >= 1) {
                return true;
              }
              events.produce(20, burst.getAndIncrement(), 0);
              return false;
            });

    // A dry run reports and changes nothing.
    Cli.Result dryRun = Cli.run(spec, lakeDir, "maintain", "--dry-run", "--table", "bronze.plays");
    assertThat(dryRun.exit()).as(dryRun.output()).isZero();
    assertThat(dryRun.output())
        .containsPattern(
            "bronze\\.plays\\s+[\\d,]+ files, [\\d,]+ below .+: would compact them; would vacuum 0"
                + " unused files older than 336 h");
    assertThat(optimizations(bronzePlays).count()).as("OPTIMIZE after a dry run").isZero();

    // The two tables streaming queries read: bronze.plays (by silver) and silver.plays (by gold).
    StringBuilder out = new StringBuilder();
    for (String table : List.of("bronze.plays", "silver.plays")) {
      Cli.Result maintained = Cli.run(spec, lakeDir, "maintain", "--table", table);
      assertThat(maintained.exit()).as(maintained.output()).isZero();
      out.append(maintained.output());
    }
    assertThat(out.toString())
        .containsPattern("bronze\\.plays\\s+files [\\d,]+ -> [\\d,]+ \\(compacted")
        .containsPattern("silver\\.plays\\s+files .* Z-ordered by \\[title_id\\]");
    assertThat(optimizations(bronzePlays).count()).isOne();
    // maintain's own settings (target file size, VACUUM's listing parallelism) are put back.
    for (String setting :
        List.of(
            "spark.databricks.delta.optimize.maxFileSize",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism",
            "spark.databricks.delta.vacuum.logging.enabled")) {
      assertThat(spark.conf().contains(setting)).as(setting).isFalse();
    }
    Map<String, String> metrics =
        optimizations(bronzePlays).select("operationMetrics").first().getJavaMap(0);
    assertThat(Long.parseLong(metrics.get("numRemovedFiles")))
        .as("the compaction replaced more files than it wrote")
        .isGreaterThan(Long.parseLong(metrics.get("numAddedFiles")));
    assertThat(
            EventLog.read(spark, lake)
                .where("kind = 'maintenance' AND status = 'ok'")
                .selectExpr("concat(target, ' dry_run=', get_json_object(details, '$.dry_run'))")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .as("a maintenance event per run and table")
        .containsExactlyInAnyOrder(
            "bronze.plays dry_run=true",
            "bronze.plays dry_run=false",
            "silver.plays dry_run=false");

    long silverVersion = version(silverPlays);
    events.produce(200, SEED + 1_000, 0);
    await("new events reaching silver.plays after the compaction; " + log)
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the pipeline stopped: " + tail(log), () -> !run.isAlive())
        .until(() -> version(silverPlays) > silverVersion);
  }

  /**
   * Spark's own metrics system reports every streaming query of the pipeline in Prometheus' format
   * on the Spark UI, under the namespace {@code medallion}.
   */
  private static void checkSparkMetrics(int uiPort) throws Exception {
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + uiPort + "/metrics/prometheus/"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    for (String query : List.of("bronze_plays", "silver_plays")) {
      for (String gauge : List.of("inputRate_total", "processingRate_total", "latency")) {
        assertThat(metrics.body())
            .containsPattern(
                "metrics_medallion_driver_spark_streaming_"
                    + query
                    + "_"
                    + gauge
                    + "_Value\\{type=\"gauges\"\\} (?:[-0-9.E]+|NaN)\n");
      }
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private long files(String path) {
    return spark.sql("DESCRIBE DETAIL delta.`" + path + "`").first().getAs("numFiles");
  }

  /** The OPTIMIZE commits of {@code maintain} (not of auto compaction) in a table's history. */
  private Dataset<Row> optimizations(String path) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + path + "`")
        .where("operation = 'OPTIMIZE' AND operationParameters.auto = 'false'");
  }

  private long version(String path) {
    return spark.sql("DESCRIBE HISTORY delta.`" + path + "` LIMIT 1").first().getAs("version");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
