package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.PipelineProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reliability.md row 4: the whole reference pipeline ({@code lakehouse run}) under a steady
 * producer, killed with {@code kill -9} at a seeded random moment, cycle after cycle; after each
 * kill a restart runs to the end and the oracle must hold over every table.
 *
 * <p>{@code -Dmedallion.soak.cycles=N} sets the number of cycles (default 2, so the default suite
 * stays short; the soak run in docs/reliability.md used 20); {@code -Dmedallion.soak.seed=S} the
 * seed of the kill times and the events.
 */
class SoakIT {
  private static final int CYCLES = Integer.getInteger("medallion.soak.cycles", 2);
  private static final long SEED = Long.getLong("medallion.soak.seed", 42);

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void randomKillsUnderASteadyProducerNeverLoseOrDoubleAnything() throws Exception {
    Path spec = ReferenceSpec.copy(dir, "soak-");
    Path lakeDir = dir.resolve("lake");
    ReferenceEvents events = new ReferenceEvents(spec, "soak-");
    Random random = new Random(SEED);
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      // 1. The pipeline runs continuously while 1,500 events arrive over about 10 s.
      CompletableFuture<Void> producing = events.produceInBackground(1_500, SEED + cycle, 150);
      Path log = dir.resolve("cycle-" + cycle + ".log");
      Process run =
          LakehouseProcess.start(log, List.of(), "run", spec, lakeDir, "--trigger-interval", "1s");

      // 2. kill -9 at a random moment: before the first batch, mid-batch, between batches.
      Duration killAt =
          PipelineProcess.between(random, Duration.ofSeconds(8), Duration.ofSeconds(30));
      boolean exited = run.waitFor(killAt.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(exited).as("still running at the kill: " + Files.readString(log)).isFalse();
      assertThat(PipelineProcess.kill9(run)).isEqualTo(137);
      producing.get(2, TimeUnit.MINUTES);

      // 3. A restart runs to the end; the oracle holds over every table.
      Path restartLog = dir.resolve("restart-" + cycle + ".log");
      Process restart =
          LakehouseProcess.start(restartLog, List.of(), "run", spec, lakeDir, "--once");
      assertThat(PipelineProcess.await(restart, Duration.ofMinutes(4)))
          .as("cycle " + cycle + " (killed after " + killAt + "): " + Files.readString(restartLog))
          .isZero();
      ReferenceOracle.check(spark, spec, lakeDir, events.acknowledged(), events.acknowledged());
    }
  }
}
