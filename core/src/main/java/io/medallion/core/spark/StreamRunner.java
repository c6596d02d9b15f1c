package io.medallion.core.spark;

import io.medallion.core.error.MedallionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;

/**
 * Runs a set of streaming queries to the end: until all finish ({@code --once}), one fails, or a
 * stop is requested, in which case each query is stopped after its current micro-batch. A query
 * whose table says {@code on_failure: restart} is restarted after a failure instead, with a backoff
 * that doubles with each failure in a row, while the others go on.
 */
public final class StreamRunner {
  private static final long POLL_MS = 200;

  private StreamRunner() {}

  /** The first wait before a failed query is restarted; it doubles with each failure in a row. */
  public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  /** The longest wait before a failed query is restarted. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /**
   * A started query and what is needed to explain its failure.
   *
   * @param name the query's name
   * @param checkpoint its checkpoint location
   * @param query the running query
   * @param restart how to start it again after a failure; empty: a failure stops every query
   */
  public record RunningQuery(
      String name, String checkpoint, StreamingQuery query, Optional<Restart> restart) {
    /** A query whose failure stops every query. */
    public RunningQuery(String name, String checkpoint, StreamingQuery query) {
      this(name, checkpoint, query, Optional.empty());
    }
  }

  /** Starts a failed query again, from its checkpoint. */
  @FunctionalInterface
  public interface Restart {
    StreamingQuery start() throws TimeoutException;
  }

  /** Told when a query that restarts fails, and when it is started again. */
  public interface Supervisor {
    Supervisor NONE =
        new Supervisor() {
          @Override
          public void failed(String query, String message, Duration restartIn, int inARow) {}

          @Override
          public void restarted(String query, int inARow) {}
        };

    /**
     * A query failed and will be restarted.
     *
     * @param message the failure, explained as the CLI would print it
     * @param restartIn the backoff before the restart
     * @param inARow the failures of this query in a row, this one included
     */
    void failed(String query, String message, Duration restartIn, int inARow);

    /** A failed query was started again. */
    void restarted(String query, int inARow);
  }

  /** The backoff after {@code inARow} failures in a row: 1 s, 2 s, 4 s, ... at most 5 min. */
  public static Duration backoff(int inARow) {
    int doublings = Math.min(Math.max(inARow - 1, 0), 30);
    Duration wait = FIRST_BACKOFF.multipliedBy(1L << doublings);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }

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
    awaitAll(queries, stopRequested, grace, Supervisor.NONE);
  }

  /**
   * Like {@link #awaitAll(List, BooleanSupplier, Duration)}, except that a query with a {@link
   * RunningQuery#restart} that fails is restarted after {@link #backoff} while the others go on;
   * its failures in a row are counted until a batch of the restarted query completes.
   */
  public static void awaitAll(
      List<RunningQuery> queries,
      BooleanSupplier stopRequested,
      Duration grace,
      Supervisor supervisor) {
    List<Slot> slots = queries.stream().map(Slot::new).toList();
    try {
      while (true) {
        Instant now = Instant.now();
        RunningQuery active = null;
        boolean waiting = false;
        for (Slot slot : slots) {
          RunningQuery q = slot.current;
          if (slot.restartAt != null) {
            if (now.isBefore(slot.restartAt)) {
              waiting = true;
              continue;
            }
            slot.restart(supervisor);
            if (slot.restartAt != null) { // the restart itself failed: wait longer
              waiting = true;
              continue;
            }
            q = slot.current;
          }
          if (q.query().exception().isDefined()) {
            RuntimeException failure =
                StreamFailures.explain(q.name(), q.checkpoint(), q.query().exception().get());
            if (q.restart().isEmpty()) {
              throw failure;
            }
            slot.failed(failure, supervisor);
            waiting = true;
            continue;
          }
          if (slot.inARow > 0 && q.query().lastProgress() != null) {
            slot.inARow = 0; // a batch completed since the restart
          }
          if (active == null && q.query().isActive()) {
            active = q;
          }
        }
        if (active == null && !waiting) {
          return;
        }
        if (stopRequested.getAsBoolean()) {
          stopAfterCurrentBatch(slots.stream().map(s -> s.current).toList(), grace);
          return;
        }
        if (active == null) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
          continue;
        }
        try {
          active.query().awaitTermination(POLL_MS);
        } catch (StreamingQueryException e) {
          if (active.restart().isEmpty()) {
            throw StreamFailures.explain(active.name(), active.checkpoint(), e);
          }
          // Handled on the next pass, like any failed query that restarts.
        }
      }
    } finally {
      for (Slot slot : slots) {
        RunningQuery q = slot.current;
        stopQuietly(q.query());
        if (!q.query().isActive()) {
          CheckpointGuard.release(q.checkpoint());
        }
      }
    }
  }

  /** One query of a run: the one running now, and its restarts. */
  private static final class Slot {
    RunningQuery current;
    int inARow;
    Instant restartAt;

    Slot(RunningQuery query) {
      this.current = query;
    }

    void failed(RuntimeException failure, Supervisor supervisor) {
      inARow++;
      Duration wait = backoff(inARow);
      restartAt = Instant.now().plus(wait);
      CheckpointGuard.release(current.checkpoint());
      supervisor.failed(current.name(), String.valueOf(failure.getMessage()), wait, inARow);
    }

    void restart(Supervisor supervisor) {
      restartAt = null;
      try {
        current =
            new RunningQuery(
                current.name(),
                current.checkpoint(),
                current.restart().orElseThrow().start(),
                current.restart());
        supervisor.restarted(current.name(), inARow);
      } catch (Exception e) {
        // Scala code throws checked exceptions undeclared; a restart that fails waits longer.
        failed(startFailure(e), supervisor);
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
