package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.core.lake.LakeLayout;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestLake;
import io.medallion.testkit.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a continuous {@code lakehouse ingest}, then a restart. ({@code kill -9} at random
 * moments is {@link SoakIT}'s, at named points {@link CrashPointsIT}'s.)
 */
class KillAndRestartIT {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void sigtermStopsAfterTheCurrentBatchAndARestartCatchesUp() throws Exception {
    // 1. A continuous ingest part-way through a backlog.
    Backlog backlog = backlog("stopped");
    Process ingest = ingestUntilFirstBatch(backlog);

    // 2. SIGTERM, as Ctrl-C or a scheduler sends it: the process stops on its own, cleanly.
    ingest.destroy();
    assertThat(ingest.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(ingest.exitValue()).as("terminated by SIGTERM").isEqualTo(143);
    assertThat(Files.readString(dir.resolve("first.log"))).doesNotContain("error:");

    // 3. A restart catches up exactly.
    restartOnceAndCheck(backlog, 6_000);
  }

  /**
   * 6,000 records produced to a fresh topic, and where the test lake and spec for them are.
   *
   * @param topic the topic
   * @param table its bronze table
   * @param spec the pipeline spec file
   * @param lakeDir the lake root
   * @param lake its layout
   * @param produced the coordinates of every acknowledged record; tests add to it
   */
  private record Backlog(
      String topic,
      String table,
      Path spec,
      Path lakeDir,
      LakeLayout lake,
      Set<Coordinates> produced) {}

  private Backlog backlog(String prefix) throws Exception {
    String topic = TestKafka.createTopic(prefix, 2);
    Set<Coordinates> produced = new HashSet<>(TestKafka.produceNumbers(topic, 0, 6_000));
    Path lakeDir = dir.resolve("lake");
    return new Backlog(
        topic,
        TestLake.tableName(topic),
        writeSpec(topic),
        lakeDir,
        LakeLayout.of(lakeDir.toString()),
        produced);
  }

  /** Starts a continuous {@code lakehouse ingest} and returns once its first batch committed. */
  private Process ingestUntilFirstBatch(Backlog backlog) throws Exception {
    Process ingest =
        lakehouse(dir.resolve("first.log"), "ingest", backlog.spec(), backlog.lakeDir());
    Path firstBatch =
        backlog
            .lakeDir()
            .resolve("bronze/" + backlog.table() + "/_delta_log/" + "00000000000000000001.json");
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              assertThat(ingest.isAlive()).as("the ingest process is still running").isTrue();
              // Version 1 is the first micro-batch (version 0 created the table). A file check,
              // not a Spark query: it must notice the batch well before the next one, 2 s on.
              return Files.exists(firstBatch);
            });
    return ingest;
  }

  /** Runs {@code lakehouse ingest --once} and checks every produced record landed exactly once. */
  private void restartOnceAndCheck(Backlog backlog, int expected) throws Exception {
    Path log = dir.resolve("second.log");
    Process restart = lakehouse(log, "ingest", backlog.spec(), backlog.lakeDir(), "--once");
    assertThat(restart.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(restart.exitValue()).as(Files.readString(log)).isZero();
    List<Coordinates> landed =
        TestLake.rows(BronzeIngestion.read(spark, backlog.lake(), backlog.table()));
    assertThat(landed).hasSize(expected).doesNotHaveDuplicates();
    assertThat(new HashSet<>(landed)).isEqualTo(backlog.produced());
  }

  /**
   * A one-table spec for {@code topic} that lands 1,000 records per micro-batch, a batch every 2 s
   * when continuous, so that a test can stop it part-way; {@code --once} ignores the interval.
   */
  private Path writeSpec(String topic) throws Exception {
    String table = TestLake.tableName(topic);
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(
        spec,
        "name: killtest\nsources:\n  "
            + table
            + ":\n    topic: "
            + topic
            + "\n    partitions: 2\nbronze:\n  defaults:\n    max_offsets_per_trigger: 1000\n"
            + "    trigger_interval: 2s\n  tables:\n    "
            + table
            + ":\n      source: "
            + table
            + "\n");
    return spec;
  }

  private static Process lakehouse(
      Path log, String command, Path spec, Path lakeDir, String... extra) throws Exception {
    return LakehouseProcess.start(log, List.of(), command, spec, lakeDir, extra);
  }
}
