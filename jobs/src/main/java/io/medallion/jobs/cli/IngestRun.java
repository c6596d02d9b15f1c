package io.medallion.jobs.cli;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.GracefulShutdown;
import io.medallion.core.spark.ProgressReporter;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline.BronzeTable;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;

/**
 * Runs bronze ingestion for a set of tables in one process; shared by {@code ingest} and {@code
 * demo}.
 */
final class IngestRun {
  private static final Duration GRACE = Duration.ofSeconds(60);

  private IngestRun() {}

  /**
   * Starts one query per table, prints a line per micro-batch, and waits until they finish (once),
   * fail, or a signal asks them to stop after the current batch.
   *
   * @return rows ingested per table in this run
   */
  static Map<String, Long> run(
      SparkSession spark,
      LakeLayout lake,
      List<BronzeTable> tables,
      IngestOptions options,
      PrintStream out) {
    ProgressReporter progress = new ProgressReporter(out);
    spark.streams().addListener(progress);
    GracefulShutdown shutdown = GracefulShutdown.install(GRACE);
    BronzeIngestion ingestion = new BronzeIngestion(spark, lake, options);
    List<RunningQuery> queries = new ArrayList<>();
    try {
      for (BronzeTable table : tables) {
        queries.add(
            new RunningQuery(
                BronzeIngestion.queryName(table),
                lake.checkpoint(Layer.BRONZE, table.name()),
                ingestion.start(table)));
      }
      StreamRunner.awaitAll(
          queries,
          () -> {
            if (shutdown.requested()) {
              LakehouseCommand.markShuttingDown();
              return true;
            }
            return false;
          },
          GRACE);
    } catch (TimeoutException e) {
      throw new IllegalStateException("a bronze query did not start", e);
    } finally {
      // A table that failed to start leaves the ones started before it running otherwise.
      for (RunningQuery q : queries) {
        StreamRunner.stopQuietly(q.query());
      }
      shutdown.finished();
      spark.streams().removeListener(progress);
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (BronzeTable table : tables) {
      rows.put(table.qualifiedName(), progress.rows(BronzeIngestion.queryName(table)));
    }
    return rows;
  }
}
