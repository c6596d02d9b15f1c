package io.medallion.jobs.run;

import io.medallion.core.events.Event;
import io.medallion.core.events.EventLog;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.GracefulShutdown;
import io.medallion.core.spark.ProgressReporter;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * The event-log bookkeeping of one operation ({@code maintain}, {@code backfill}, {@code replay},
 * or a run of streaming queries): the log is opened once, each step is timed, and its outcome or
 * its failure is recorded in {@code _system.events} before the failure goes on to the caller.
 */
public final class OperationRun implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final int MAX_MESSAGE = 2000;

  /** Set once a signal asked this JVM to stop: then {@code System.exit} would block. */
  private static volatile boolean stopRequested;

  private final SparkSession spark;
  private final String job;
  private final EventLog events;

  private OperationRun(SparkSession spark, LakeLayout lake, String job) {
    this.spark = spark;
    this.job = job;
    this.events = EventLog.open(spark, lake, job);
  }

  /** Opens the event log for the operation {@code job} (such as {@code maintain}). */
  public static OperationRun open(SparkSession spark, LakeLayout lake, String job) {
    return new OperationRun(spark, lake, job);
  }

  /** Whether a signal (Ctrl-C, SIGTERM) asked a streaming run of this JVM to stop. */
  public static boolean stopRequested() {
    return stopRequested;
  }

  /**
   * What a step did, as its event records it.
   *
   * @param kind the event kind, such as {@link Event#MAINTENANCE}
   * @param rowsIn rows (or files) the step read
   * @param rowsOut rows (or files) it left
   * @param message a sentence for people
   * @param details a JSON object for tools
   */
  public record Outcome(String kind, long rowsIn, long rowsOut, String message, String details) {}

  /**
   * Runs one step on {@code table}: records its outcome, which {@code summary} makes of the result
   * and the step's milliseconds (null: nothing to record), or its failure, which is then rethrown.
   */
  public <T> T step(String table, Supplier<T> work, BiFunction<T, Long, Outcome> summary) {
    long began = System.nanoTime();
    T result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      failed(table, job + ": " + e.getMessage());
      throw e;
    }
    long ms = (System.nanoTime() - began) / 1_000_000;
    Outcome o = summary.apply(result, ms);
    if (o != null) {
      events.add(
          Event.run(
              o.kind(), table, o.rowsIn(), o.rowsOut(), ms, Event.OK, o.message(), o.details()));
    }
    return result;
  }

  /** Records that {@code subject} failed with {@code message}. */
  public void failed(String subject, String message) {
    events.add(
        Event.failure(
            subject, message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message));
  }

  /**
   * Runs streaming queries in this process with a line per micro-batch, until they finish (once),
   * one fails, or a signal asks them to stop after the current batch.
   *
   * @param start starts the queries with this run's event log as their sink (and stops those it
   *     started if a later one fails)
   * @return input rows per query name in this run
   */
  public Map<String, Long> streams(Function<EventSink, List<RunningQuery>> start, PrintWriter out) {
    ProgressReporter progress = new ProgressReporter(out);
    spark.streams().addListener(progress);
    GracefulShutdown shutdown = GracefulShutdown.install(GRACE);
    List<RunningQuery> queries = new ArrayList<>();
    try {
      queries.addAll(start.apply(events));
      StreamRunner.awaitAll(
          queries,
          () -> {
            if (shutdown.requested()) {
              stopRequested = true;
              return true;
            }
            return false;
          },
          GRACE,
          new StreamRunner.Supervisor() {
            @Override
            public void failed(String query, String message, Duration restartIn, int inARow) {
              String line =
                  query
                      + " failed ("
                      + inARow
                      + " in a row), restarting in "
                      + restartIn.toSeconds()
                      + " s: "
                      + message.lines().findFirst().orElse("");
              out.println(line);
              out.flush();
              OperationRun.this.failed(query, line);
            }

            @Override
            public void restarted(String query, int inARow) {
              out.println(query + " restarted from its checkpoint");
              out.flush();
              events.add(Event.restart(query, inARow));
            }
          });
    } catch (RuntimeException e) {
      failed(job, String.valueOf(e.getMessage()));
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

  /** Flushes the events recorded so far. */
  @Override
  public void close() {
    events.close();
  }
}
