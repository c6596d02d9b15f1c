package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.DeltaWrites;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.FaultPoints;
import io.medallion.silver.QuarantineTable;
import io.medallion.silver.TableRefiner;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.PipelineProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lakehouse run --once} on the reference pipeline, killed at each named point of a
 * micro-batch in turn (docs/reliability.md rows 1 to 3), each run resuming from the last one's
 * checkpoints; then a run to the end, and the oracle over every table.
 */
class CrashPointsIT {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void aCrashAtEachPointOfABatchThenARestartLosesAndDuplicatesNothing() throws Exception {
    Path spec = ReferenceSpec.copy(dir, "crash-");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    ReferenceEvents events = new ReferenceEvents(spec, "crash-");
    events.produce(3_000, 7, 0);

    List<List<String>> crashes =
        List.of(
            // Mid-write: some of bronze.plays' first batch's files exist; nothing is committed.
            PipelineProcess.haltOnCreate("/bronze/plays/"),
            // After bronze.plays' Delta commit, before its checkpoint commit.
            List.of(PipelineProcess.haltAt(FaultPoints.BATCH_WRITTEN + "bronze.plays")),
            // Between two writes of one silver batch: its records committed, quarantine not.
            List.of(PipelineProcess.haltAt(DeltaWrites.AFTER_COMMIT + "silver.plays")),
            // Between the quarantine write and the silver write.
            List.of(PipelineProcess.haltAt(TableRefiner.AFTER_QUARANTINE + "silver.plays")),
            // After every write of a silver batch, before its checkpoint commit.
            List.of(PipelineProcess.haltAt(FaultPoints.BATCH_WRITTEN + "silver.plays")),
            // After a gold batch's writes, before its checkpoint commit.
            List.of(
                PipelineProcess.haltAt(FaultPoints.BATCH_WRITTEN + "gold.title_daily_engagement")));
    for (int i = 0; i < crashes.size(); i++) {
      Path log = dir.resolve("crash-" + i + ".log");
      Process run = LakehouseProcess.start(log, crashes.get(i), "run", spec, lakeDir, "--once");
      assertThat(PipelineProcess.await(run, Duration.ofMinutes(4)))
          .as(Files.readString(log))
          .isEqualTo(FaultPoints.HALT_EXIT_CODE);
      assertThat(Files.readString(log)).contains("medallion: halting at fault point");
      if (crashes.get(i).get(0).endsWith(TableRefiner.AFTER_QUARANTINE + "silver.plays")) {
        assertThat(QuarantineTable.read(spark, lake).where("source_table = 'silver.plays'").count())
            .as("the quarantine write committed before the crash")
            .isPositive();
        assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count())
            .as("the silver write did not happen")
            .isZero();
      }
    }

    Path log = dir.resolve("complete.log");
    Process complete = LakehouseProcess.start(log, List.of(), "run", spec, lakeDir, "--once");
    assertThat(PipelineProcess.await(complete, Duration.ofMinutes(4)))
        .as(Files.readString(log))
        .isZero();
    ReferenceOracle.check(spark, spec, lakeDir, events.acknowledged(), events.acknowledged());
  }
}
