package io.medallion.jobs.cli;

import io.medallion.core.events.Event;
import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.GracefulShutdown;
import io.medallion.core.spark.ProgressReporter;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a set of streaming queries in this process with a line per micro-batch, until they finish
 * (once), one fails, or a signal asks them to stop after the current batch. Shared by {@code
 * ingest}, {@code refine}, {@code run} and {@code demo}.
 */
final class QueryRun {
  private static final Duration GRACE = Duration.ofSeconds(60);

  private QueryRun() {}

  /**
   * @param start starts the queries (and stops those it started if a later one fails)
   * @return input rows per query name in this run
   */
  static Map<String, Long> run(
      SparkSession spark,
      LakeLayout lake,
      String job,
      Supplier<List<RunningQuery>> start,
      PrintStream out) {
    ProgressReporter progress = new ProgressReporter(out);
    spark.streams().addListener(progress);
    GracefulShutdown shutdown = GracefulShutdown.install(GRACE);
    List<RunningQuery> queries = new ArrayList<>();
    EventLog events = EventLog.open(spark, lake, job);
    try {
      queries.addAll(start.get());
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
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      events.add(
          Event.failure(job, message.length() > 2000 ? message.substring(0, 2000) : message));
      throw e;
    } finally {
      // Before the shutdown hook is released: Spark's own hook stops the session after it.
      events.close();
      spark.streams().removeListener(progress);
      shutdown.finished();
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (RunningQuery q : queries) {
      rows.put(q.name(), progress.rows(q.name()));
    }
    return rows;
  }
}
