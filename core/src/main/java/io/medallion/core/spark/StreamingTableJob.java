package io.medallion.core.spark;

import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.OnFailure;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One streaming query that keeps one Delta table: what differs between bronze, silver and gold.
 * What they share (creating, compacting, guarding the checkpoint, the trigger, {@code foreachBatch}
 * with its fault point, stopping the others when one fails to start) is done once, by {@link
 * StreamingJobStarter}.
 */
public interface StreamingTableJob {
  /** The query's name, such as {@code silver.plays}; also its writer's name. */
  String name();

  /** The query's checkpoint location. */
  String checkpoint();

  /** The Delta table the job writes. */
  String target();

  /** The table's maintenance policy (its auto compaction); null leaves the table as it is. */
  MaintenancePolicy maintenance();

  /** The continuous trigger's interval. */
  Duration triggerInterval();

  /** What a continuous run does when the query fails: stop every query, or restart this one. */
  default OnFailure onFailure() {
    return OnFailure.STOP;
  }

  /**
   * Creates the job's tables and checks its definition against the real schemas; run for every job
   * before any starts, so that a mistake stops the run before data is touched.
   */
  void prepare(SparkSession spark);

  /** Runs right before the job's query starts; {@code once} for a run that stops when done. */
  default void beforeStart(SparkSession spark, boolean once) {}

  /**
   * Spark SQL settings for this job's query alone: set on the session while the query starts (a
   * query keeps the settings it started with) and restored right after.
   */
  default Map<String, String> queryConf() {
    return Map.of();
  }

  /** What the checkpoint guard checks before the query starts. */
  CheckpointGuard.Query definition();

  /**
   * The stream the query reads.
   *
   * @param checkpointLost the guard found the checkpoint lost while the table holds what it wrote
   */
  Dataset<Row> source(SparkSession spark, boolean checkpointLost);

  /** Writes one micro-batch, idempotently: a replayed batch writes nothing twice. */
  void writeBatch(Dataset<Row> batch, BatchContext context);
}
