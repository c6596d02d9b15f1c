package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.FaultPoints;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.jobs.cli.LakehouseCommand;
import io.medallion.silver.QuarantineTable;
import io.medallion.silver.SilverRecords;
import io.medallion.silver.TableRefiner;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference pipeline's silver tables on generated data, including a process that dies between a
 * batch's quarantine write and its silver write.
 */
class SilverCrashIT {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  private static int cli(StringWriter out, String... args) {
    return LakehouseCommand.execute(new PrintWriter(out, true), new PrintWriter(out, true), args);
  }

  @Test
  void aCrashBetweenTheQuarantineAndSilverWritesLeavesEachTableWrittenOnce() throws Exception {
    Path spec = ReferenceSpec.copy(dir, "crash-");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    String[] common = {
      "--pipeline", spec.toString(),
      "--lake-root", lakeDir.toString(),
      "--bootstrap-servers", TestKafka.bootstrapServers(),
      "--conf", "spark.master=local[2]"
    };
    StringWriter out = new StringWriter();
    assertThat(
            cli(
                out,
                concat(
                    new String[] {
                      "generate",
                      "--events",
                      "3000",
                      "--seed",
                      "7",
                      "--bad-fraction",
                      "0.05",
                      "--duplicate-fraction",
                      "0.05"
                    },
                    common)))
        .as(out.toString())
        .isZero();
    assertThat(cli(out, concat(new String[] {"ingest", "--once"}, common)))
        .as(out.toString())
        .isZero();

    // The first silver batch of plays dies after quarantine, before silver.
    Path log = dir.resolve("crash.log");
    Process crashed =
        LakehouseProcess.start(
            log,
            List.of("-D" + FaultPoints.PROPERTY + "=" + TableRefiner.AFTER_QUARANTINE),
            "refine",
            spec,
            lakeDir,
            "--once",
            "--tables",
            "plays");
    assertThat(crashed.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(crashed.exitValue()).as(Files.readString(log)).isEqualTo(FaultPoints.HALT_EXIT_CODE);
    long quarantinedBefore =
        QuarantineTable.read(spark, lake).where("source_table = 'silver.plays'").count();
    assertThat(quarantinedBefore)
        .as("the quarantine write committed before the crash")
        .isPositive();
    assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count())
        .as("the silver write did not happen")
        .isZero();

    // The restart replays the batch: quarantine and records are not written again.
    out = new StringWriter();
    assertThat(cli(out, concat(new String[] {"refine", "--once"}, common)))
        .as(out.toString())
        .isZero();
    List<Row> quarantine =
        QuarantineTable.read(spark, lake).where("source_table = 'silver.plays'").collectAsList();
    assertThat(quarantine).hasSize((int) quarantinedBefore);
    assertThat(
            QuarantineTable.read(spark, lake)
                .groupBy("source_table", "topic", "partition", "offset")
                .count()
                .where("count > 1")
                .count())
        .isZero();
    Pipeline pipeline = PipelineLoader.load(spec);
    for (String table : List.of("plays", "impressions")) {
      var silver = spark.read().format("delta").load(lake.table(Layer.SILVER, table));
      assertThat(silver.count()).isEqualTo(silver.select("event_id").distinct().count());
    }
    assertThat(
            SilverRecords.reconciliation(spark, lake)
                .groupBy("table", "batch_id")
                .count()
                .where("count > 1")
                .count())
        .isZero();
    assertThat(pipeline.silverTables()).hasSize(4);

    // Reconciliation holds for every table, by the same check users run.
    out = new StringWriter();
    assertThat(cli(out, concat(new String[] {"check"}, common))).as(out.toString()).isZero();
    assertThat(out.toString()).contains("Reconciliation holds.").doesNotContain("FAIL");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
