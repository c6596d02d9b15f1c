package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.FaultPoints;
import io.medallion.gold.GoldAggregation;
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
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference pipeline's jobs killed at named points of a micro-batch in turn
 * (docs/reliability.md rows 1 to 3): mid-write, after a Delta commit and before the checkpoint
 * commit, between two writes of one batch; each run resumes from the last one's checkpoints; then
 * {@code run --once} to the end, and the oracle over every table.
 */
class CrashPointsIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void aCrashAtEachPointOfABatchThenARestartLosesAndDuplicatesNothing() throws Exception {
    Path spec = ReferenceSpec.playsOnlyWithRanking(dir, "crash-");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    ReferenceEvents events = new ReferenceEvents(spec, "crash-");
    java.time.Instant until = java.time.Instant.now();
    events.produce(1_500, 7, 0, until);

    // Each crash: the command that reaches the point, and the point.
    record Crash(List<String> command, List<String> flags) {}
    List<Crash> crashes =
        List.of(
            // Mid-write: some of bronze.plays' first batch's files exist; nothing is committed.
            new Crash(
                List.of("ingest", "--once", "--tables", "plays"),
                PipelineProcess.haltOnCreate("/bronze/plays/")),
            // After bronze.plays' Delta commit, before its checkpoint commit.
            new Crash(
                List.of("ingest", "--once", "--tables", "plays"),
                List.of(PipelineProcess.haltAt(FaultPoints.BATCH_WRITTEN + "bronze.plays"))),
            // Between two writes of one silver batch: records and quarantine committed, silver not.
            new Crash(
                List.of("refine", "--once", "--tables", "plays"),
                List.of(PipelineProcess.haltAt(TableRefiner.AFTER_QUARANTINE + "silver.plays"))),
            // After a gold batch's writes, before its checkpoint commit (all else landed first).
            new Crash(
                List.of("run", "--once"),
                List.of(
                    PipelineProcess.haltAt(
                        FaultPoints.BATCH_WRITTEN + "gold.title_daily_engagement"))),
            // Inside silver.plays' key state, while it writes the state of a key whose re-send it
            // found (the same events produced again, below): the batch's state is not committed,
            // nothing of the batch is written.
            new Crash(
                List.of("refine", "--once", "--tables", "plays"),
                List.of(PipelineProcess.haltAt(TableRefiner.KEY_STATE + "silver.plays"))),
            // Inside gold.title_daily_engagement's distinct members' state, while it records a
            // viewer new to a title's day (new events, below): the batch's state is not
            // committed, nothing of it merged.
            new Crash(
                List.of("run", "--once"),
                List.of(
                    PipelineProcess.haltAt(
                        GoldAggregation.MEMBER_STATE + "gold.title_daily_engagement"))),
            // Between gold.top_titles_hourly's merge into the aggregates it keeps and the ranking
            // of the slices it touched (new events, below): the restart replays the batch, whose
            // merge the kept aggregates already hold.
            new Crash(
                List.of("run", "--once"),
                List.of(PipelineProcess.haltAt(GoldAggregation.KEPT_MERGED + "gold." + RANKING))));
    for (int i = 0; i < crashes.size(); i++) {
      Crash crash = crashes.get(i);
      boolean keyState = crash.flags().get(0).contains(TableRefiner.KEY_STATE);
      boolean memberState = crash.flags().get(0).contains(GoldAggregation.MEMBER_STATE);
      boolean keptMerged = crash.flags().get(0).contains(GoldAggregation.KEPT_MERGED);
      long silverRows = 0;
      long goldVersions = 0;
      long keptMerges = 0;
      if (memberState) {
        events.produce(1_500, 11, 0, until);
        goldVersions = versions(lake.table(Layer.GOLD, "title_daily_engagement"));
      }
      if (keptMerged) {
        // Every batch the crashes before left unfinished is finished first, so that the next
        // batch the ranking merges is the new events'.
        Cli.Result caughtUp = Cli.run(spec, lakeDir, "run", "--once");
        assertThat(caughtUp.exit()).as(caughtUp.output()).isZero();
        events.produce(1_500, 13, 0, until);
        goldVersions = versions(lake.table(Layer.GOLD, RANKING));
        keptMerges = merges(kept(lake));
      }
      if (keyState) {
        events.produce(1_500, 7, 0, until);
        Cli.Result ingested = Cli.run(spec, lakeDir, "ingest", "--once", "--tables", "plays");
        assertThat(ingested.exit()).as(ingested.output()).isZero();
        silverRows = spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count();
      }
      Path log = dir.resolve("crash-" + i + ".log");
      List<String> args = crash.command();
      Process run =
          LakehouseProcess.start(
              log,
              crash.flags(),
              args.get(0),
              spec,
              lakeDir,
              args.subList(1, args.size()).toArray(String[]::new));
      assertThat(PipelineProcess.await(run, Duration.ofMinutes(4)))
          .as(Files.readString(log))
          .isEqualTo(FaultPoints.HALT_EXIT_CODE);
      assertThat(Files.readString(log)).contains("medallion: halting at fault point");
      if (crash.flags().get(0).contains(TableRefiner.AFTER_QUARANTINE)) {
        assertThat(QuarantineTable.read(spark, lake).where("source_table = 'silver.plays'").count())
            .as("the quarantine write committed before the crash")
            .isPositive();
        assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count())
            .as("the silver write did not happen")
            .isZero();
      }
      if (keyState) {
        assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count())
            .as("nothing of the batch was written")
            .isEqualTo(silverRows);
      }
      if (memberState) {
        assertThat(versions(lake.table(Layer.GOLD, "title_daily_engagement")))
            .as("nothing of the gold batch was merged")
            .isEqualTo(goldVersions);
      }
      if (keptMerged) {
        // Merges, not versions: Delta's auto compaction may follow the merge with an OPTIMIZE
        // commit of its own (seen when the events span two dates).
        assertThat(merges(kept(lake)))
            .as("the kept aggregates merged the batch")
            .isEqualTo(keptMerges + 1);
        assertThat(versions(lake.table(Layer.GOLD, RANKING)))
            .as("the ranking was not replaced")
            .isEqualTo(goldVersions);
      }
    }

    Cli.Result complete = Cli.run(spec, lakeDir, "run", "--once");
    assertThat(complete.exit()).as(complete.output()).isZero();
    ReferenceOracle.check(spark, spec, lakeDir, events.acknowledged(), events.acknowledged());
  }

  private static final String RANKING = ReferenceSpec.TOP_TITLES;

  /** Where gold.top_titles_hourly keeps its aggregates: a Delta table in its checkpoint. */
  private static String kept(LakeLayout lake) {
    return lake.checkpoint(Layer.GOLD, RANKING) + "/medallion-aggregates";
  }

  private long merges(String table) {
    return spark.sql("DESCRIBE HISTORY delta.`" + table + "`").where("operation = 'MERGE'").count();
  }

  private long versions(String table) {
    return spark.sql("DESCRIBE HISTORY delta.`" + table + "`").count();
  }
}
