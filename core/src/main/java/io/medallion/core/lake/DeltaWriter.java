package io.medallion.core.lake;

import io.medallion.core.spark.FaultInjector;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent Delta writes for {@code foreachBatch}: each write carries a transaction id (an
 * application id and a version), and Delta skips a write whose version for that application id is
 * already committed to the table. A micro-batch replayed after a crash therefore writes nothing a
 * second time. Writes that lose a race with another writer of their table are tried again by the
 * writer's {@link RetryPolicy}.
 */
public final class DeltaWriter {
  /** Spark sets this local property to the streaming query's id, which its checkpoint keeps. */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  /**
   * The fault point reached right after a write for a writer commits, before anything else of its
   * micro-batch (and before the checkpoint's commit): {@code after-commit:<writer>}.
   */
  public static final String AFTER_COMMIT = "after-commit:";

  private static final Logger LOG = LoggerFactory.getLogger(DeltaWriter.class);

  private final RetryPolicy retry;
  private final FaultInjector faults;
  private final AtomicLong conflictsRetried = new AtomicLong();

  /**
   * @param retry how conflicting writes are tried again
   * @param faults the fault hook reached after each commit ({@link FaultInjector#NONE} in
   *     production)
   */
  public DeltaWriter(RetryPolicy retry, FaultInjector faults) {
    this.retry = retry;
    this.faults = faults;
  }

  /** The writer the engines use: the default retry policy and the installed fault hook. */
  public static DeltaWriter standard() {
    return new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.installed());
  }

  /** The fault hook this writer reaches after its commits. */
  public FaultInjector faults() {
    return faults;
  }

  /**
   * The application id of a streaming writer: the writer's name and the id of the query running it,
   * so that a new checkpoint (a new query id) starts a new sequence of versions.
   *
   * @param spark the session {@code foreachBatch} hands the batch in
   * @param writer a name unique per writer of a table, such as {@code silver.plays}
   */
  public static String streamingAppId(SparkSession spark, String writer) {
    String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    if (queryId == null) {
      throw new IllegalStateException("no streaming query id while writing for " + writer);
    }
    return appId(writer, queryId);
  }

  /**
   * The application id of a streaming writer, from its name and the id of the query running it (a
   * checkpoint's {@code metadata} file holds it).
   */
  public static String appId(String writer, String queryId) {
    return writer + ":" + queryId;
  }

  /** The writer's name in an application id made by {@link #streamingAppId}. */
  public static String writerOf(String appId) {
    int colon = appId.lastIndexOf(':');
    return colon < 0 ? appId : appId.substring(0, colon);
  }

  /** Appends {@code rows} to the Delta table at {@code path} unless (appId, version) is there. */
  public void appendOnce(Dataset<Row> rows, String path, String appId, long version) {
    if (!TransactionalAppend.run(rows, path, appId, version)) {
      rows.write()
          .format("delta")
          .mode("append")
          .option("txnAppId", appId)
          .option("txnVersion", version)
          .save(path);
    }
    faults.reach(AFTER_COMMIT + writerOf(appId));
  }

  /**
   * Appends rows the driver holds to the Delta table at {@code path} unless (appId, version) is
   * there: written and committed by the driver, without a Spark job, when the table is a plain one
   * (see {@link DriverAppend}), else as {@link #appendOnce} writes a DataFrame.
   *
   * @param schema the rows' schema
   */
  public void appendRowsOnce(
      SparkSession spark,
      List<Row> rows,
      StructType schema,
      String path,
      String appId,
      long version) {
    if (DriverAppend.run(spark, rows, schema, path, appId, version)) {
      faults.reach(AFTER_COMMIT + writerOf(appId));
    } else {
      appendOnce(spark.createDataFrame(rows, schema), path, appId, version);
    }
  }

  /**
   * Appends rows the driver holds to the Delta table at {@code path}, without a transaction id (a
   * replay appends them again): by the driver when the table is a plain one, as {@link
   * #appendRowsOnce} does, else through a DataFrame.
   */
  public static void appendRows(
      SparkSession spark, List<Row> rows, StructType schema, String path) {
    if (!DriverAppend.run(spark, rows, schema, path, null, -1)) {
      spark.createDataFrame(rows, schema).write().format("delta").mode("append").save(path);
    }
  }

  /**
   * Runs a write, and runs it again when Delta rejected its commit because another writer (an
   * OPTIMIZE, a maintenance job, a backfill) committed a conflicting change to the table in the
   * meantime. A rejected commit wrote nothing visible, so running the write again is safe; it reads
   * the table afresh. Gives up after the policy's attempts and throws the conflict.
   *
   * @param table the table written, for the log
   * @param write the write; it must be safe to run again after a conflict (idempotent)
   */
  public void retryOnConflict(String table, Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (RuntimeException e) {
        ConcurrentModificationException conflict = conflict(e);
        if (conflict == null || attempt >= retry.attempts()) {
          throw e;
        }
        conflictsRetried.incrementAndGet();
        Duration wait = retry.backoff(attempt);
        LOG.warn(
            "{}: a concurrent commit conflicted with this write ({}); attempt {} of {} in {} ms",
            table,
            conflict.getClass().getSimpleName(),
            attempt + 1,
            retry.attempts(),
            wait.toMillis());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait.toMillis()));
      }
    }
  }

  /** How many writes this writer ran again after a conflict. */
  public long conflictsRetried() {
    return conflictsRetried.get();
  }

  private static ConcurrentModificationException conflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DeltaConcurrentModificationException c) {
        return c;
      }
    }
    return null;
  }
}
