package io.medallion.core.spark;

import io.medallion.core.error.MedallionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;

/**
 * Runs a set of streaming queries to the end: until all finish ({@code --once}), one fails, or a
 * stop is requested, in which case each query is stopped after its current micro-batch.
 */
public final class StreamRunner {
  private static final long POLL_MS = 200;

  private StreamRunner() {}

  /**
   * A started query and what is needed to explain its failure.
   *
   * @param name the query's name
   * @param checkpoint its checkpoint location
   * @param query the running query
   */
  public record RunningQuery(String name, String checkpoint, StreamingQuery query) {}

  /**
   * Waits for the queries. If one fails, the others are stopped and the failure is thrown,
   * explained by {@link StreamFailures} where the cause is known.
   *
   * @param queries the started queries
   * @param stopRequested polled; when it turns true, every query stops after its current batch
   * @param grace how long to wait for a running batch to finish before stopping it anyway
   */
  public static void awaitAll(
      List<RunningQuery> queries, BooleanSupplier stopRequested, Duration grace) {
    try {
      while (true) {
        RunningQuery active = null;
        for (RunningQuery q : queries) {
          if (q.query().exception().isDefined()) {
            throw StreamFailures.explain(q.name(), q.checkpoint(), q.query().exception().get());
          }
          if (active == null && q.query().isActive()) {
            active = q;
          }
        }
        if (active == null) {
          return;
        }
        if (stopRequested.getAsBoolean()) {
          stopAfterCurrentBatch(queries, grace);
          return;
        }
        try {
          active.query().awaitTermination(POLL_MS);
        } catch (StreamingQueryException e) {
          throw StreamFailures.explain(active.name(), active.checkpoint(), e);
        }
      }
    } finally {
      for (RunningQuery q : queries) {
        stopQuietly(q.query());
        if (!q.query().isActive()) {
          CheckpointGuard.release(q.checkpoint());
        }
      }
    }
  }

  private static void stopAfterCurrentBatch(List<RunningQuery> queries, Duration grace) {
    Instant deadline = Instant.now().plus(grace);
    for (RunningQuery q : queries) {
      while (q.query().isActive()
          && q.query().status().isTriggerActive()
          && Instant.now().isBefore(deadline)) {
        try {
          q.query().awaitTermination(POLL_MS);
        } catch (StreamingQueryException e) {
          break;
        }
      }
      stopQuietly(q.query());
    }
  }

  /** Starts one streaming query for an item. */
  @FunctionalInterface
  public interface Starter<T> {
    /** Starts the item's query. */
    RunningQuery start(T item) throws TimeoutException;
  }

  /**
   * Starts one query per item, in order. If one fails to start, the queries already started are
   * stopped before the failure is thrown, so that none is left running unattended.
   */
  public static <T> List<RunningQuery> startEach(List<T> items, Starter<T> starter) {
    List<RunningQuery> queries = new java.util.ArrayList<>();
    try {
      for (T item : items) {
        queries.add(starter.start(item));
      }
    } catch (Exception e) {
      // Scala code throws checked exceptions (such as S3A's IOExceptions) undeclared.
      queries.forEach(q -> stopQuietly(q.query()));
      throw startFailure(e);
    }
    return queries;
  }

  /**
   * What to throw for a failure while preparing or starting queries: an unreachable lake explained,
   * else the failure itself (a checked one wrapped).
   */
  public static RuntimeException startFailure(Exception e) {
    Optional<MedallionException> storage = StreamFailures.unreachableStorage(e);
    if (storage.isPresent()) {
      return storage.get();
    }
    if (e instanceof RuntimeException r) {
      return r;
    }
    if (e instanceof TimeoutException) {
      return new IllegalStateException("a streaming query did not start in time", e);
    }
    return new IllegalStateException("a streaming query did not start: " + e.getMessage(), e);
  }

  /** Stops a query if it is still active, ignoring a query that does not stop in time. */
  public static void stopQuietly(StreamingQuery query) {
    try {
      if (query.isActive()) {
        query.stop();
      }
    } catch (TimeoutException e) {
      // A query that ignores stop is torn down with the session.
    }
  }
}
