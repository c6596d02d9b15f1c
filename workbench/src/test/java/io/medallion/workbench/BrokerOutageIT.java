package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.core.lake.LakeLayout;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestLake;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.Oracle;
import io.medallion.testkit.faults.PipelineProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continuous {@code lakehouse ingest} while a second job tries its checkpoint
 * (docs/reliability.md row 17) and while the broker is killed and restarted on its log directory
 * (row 5).
 */
class BrokerOutageIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void aSecondJobIsRefusedAndABrokerOutageIsWaitedOutWithNothingLost() throws Exception {
    String topic = TestKafka.createTopic("outage", 2);
    String table = TestLake.tableName(topic);
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(
        spec,
        "name: outage\nsources:\n  "
            + table
            + ":\n    topic: "
            + topic
            + "\n    partitions: 2\nbronze:\n  defaults:\n    trigger_interval: 1s\n  tables:\n    "
            + table
            + ":\n      source: "
            + table
            + "\n");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 500));
    Path log = dir.resolve("ingest.log");
    Process ingest = LakehouseProcess.start(log, List.of(), "ingest", spec, lakeDir);
    try {
      awaitRows(lake, table, ingest, 500);

      // Row 17: a second job on the same checkpoint stops at once, naming the first.
      Cli.Result second = Cli.run(spec, lakeDir, "ingest", "--once");
      assertThat(second.exit()).as(second.output()).isNotZero();
      assertThat(second.output())
          .contains("another process (pid " + ingest.pid() + ") is already running bronze." + table)
          .doesNotContain("\tat ");

      // Row 5: the broker dies; the query waits for it rather than failing or skipping.
      TestKafka.killBroker();
      await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(45)).until(ingest::isAlive);
      TestKafka.startBrokerAgain();
      produced.addAll(TestKafka.produceNumbers(topic, 500, 500));
      awaitRows(lake, table, ingest, 1_000);

      // SIGTERM, as Ctrl-C or a scheduler sends it: the job stops on its own, cleanly.
      ingest.destroy();
      assertThat(PipelineProcess.await(ingest, Duration.ofMinutes(2)))
          .as("terminated by SIGTERM")
          .isEqualTo(143);
      assertThat(Files.readString(log)).doesNotContain("error:");
      Oracle.bronzeExactlyOnce(BronzeIngestion.read(spark, lake, table), produced, produced);
    } finally {
      if (ingest.isAlive()) {
        PipelineProcess.kill9(ingest);
      }
    }
  }

  private void awaitRows(LakeLayout lake, String table, Process ingest, long rows) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the ingest process stopped", () -> !ingest.isAlive())
        .ignoreExceptions()
        .until(() -> BronzeIngestion.read(spark, lake, table).count() >= rows);
  }
}
