package io.medallion.core.spark;

import io.medallion.core.error.Errors;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.DeltaWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Checks a streaming query's checkpoint before the query starts (one process per checkpoint: {@link
 * CheckpointLock} locally, {@link CheckpointLease} on object stores; whole files: {@link
 * CheckpointFiles}; an unchanged definition: {@link CheckpointDefinition}), so that the faults
 * Spark would not notice, or would notice only after writing, stop the job first with a message
 * that says what to do:
 *
 * <ul>
 *   <li>a second process on the same checkpoint (local lakes: an OS file lock, released by the OS
 *       even after {@code kill -9}; object stores: a lease the job renews while it runs);
 *   <li>a checkpoint file that is empty or cut short;
 *   <li>a checkpoint that is gone while its table holds rows written through it;
 *   <li>a query whose definition (its source, keys, SQL) changed since the checkpoint was made.
 * </ul>
 */
public final class CheckpointGuard {
  /** The file in a checkpoint that records the definition of the query that made it. */
  public static final String DEFINITION_FILE = "medallion-query.properties";

  /** The lock file in a local checkpoint. */
  public static final String LOCK_FILE = "medallion.lock";

  /** The lease file in a checkpoint on an object store. */
  public static final String LEASE_FILE = "medallion.lease";

  /** How long a lease lasts without renewal. */
  public static final Duration LEASE_TIMEOUT = Duration.ofSeconds(60);

  private CheckpointGuard() {}

  /**
   * A streaming query about to start.
   *
   * @param name the query's name, such as {@code silver.plays}
   * @param checkpoint its checkpoint location
   * @param table the Delta table it writes
   * @param definition what identifies the query: if any of it changes, the checkpoint no longer
   *     describes the query
   * @param fixIfMissing what to do when the checkpoint is missing but the table is not empty; empty
   *     when the caller resumes from the table by itself
   * @param written whether the query's output holds what an earlier run wrote; null: whether {@code
   *     table} has a Delta transaction of the query's writer
   */
  public record Query(
      String name,
      String checkpoint,
      String table,
      Map<String, String> definition,
      String fixIfMissing,
      java.util.function.BooleanSupplier written) {
    /** A query whose table holds what its writer committed, by Delta transaction ids. */
    public Query(
        String name,
        String checkpoint,
        String table,
        Map<String, String> definition,
        String fixIfMissing) {
      this(name, checkpoint, table, definition, fixIfMissing, null);
    }
  }

  /**
   * What changed in a query's definition since its checkpoint recorded it, one line per key; empty
   * when nothing did or there is no checkpoint. Reads only.
   */
  public static String definitionChanges(SparkSession spark, Query query) {
    Path root = new Path(query.checkpoint());
    try {
      return CheckpointDefinition.changes(
          root.getFileSystem(spark.sparkContext().hadoopConfiguration()), root, query);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + root, e);
    }
  }

  /**
   * Checks and prepares the checkpoint.
   *
   * @return true when the checkpoint is new (or was lost) while the table already holds rows this
   *     query's writer committed; a caller that did not give a fix resumes from the table itself
   * @throws MedallionException when the query must not start
   */
  public static boolean prepare(SparkSession spark, Query query) {
    String location = Checkpoints.ensure(spark, query.checkpoint());
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if ("file".equals(fs.getScheme())) {
        CheckpointLock.acquire(fs, root, query);
      } else {
        CheckpointLease.acquire(fs, root, query);
      }
      boolean started = CheckpointFiles.hasFiles(fs, new Path(root, "offsets"));
      if (started) {
        CheckpointFiles.checkFiles(fs, root, query);
      }
      CheckpointDefinition.check(fs, root, query);
      boolean written =
          !started
              && (query.written() != null
                  ? query.written().getAsBoolean()
                  : writtenBefore(spark, query));
      if (!written) {
        return false;
      }
      if (!query.fixIfMissing().isEmpty()) {
        throw Errors.checkpointLost(query.name(), location, query.fixIfMissing());
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the checkpoint " + location, e);
    }
  }

  /**
   * Releases what this JVM holds on a checkpoint (its lock, or on an object store its lease), once
   * the query on it has stopped, so that another process may run it.
   */
  public static void release(String checkpoint) {
    CheckpointLock.release(checkpoint);
    CheckpointLease.release(checkpoint);
  }

  /** Whether the table holds a commit of this query's writer (under any checkpoint). */
  private static boolean writtenBefore(SparkSession spark, Query query) {
    DeltaLog log = DeltaLog.forTable(spark, query.table());
    if (!log.tableExists()) {
      return false;
    }
    return CollectionConverters.asJava(
            log.update(false, Option.empty(), Option.empty()).transactions())
        .keySet()
        .stream()
        .anyMatch(appId -> DeltaWriter.writerOf(appId).equals(query.name()));
  }
}
