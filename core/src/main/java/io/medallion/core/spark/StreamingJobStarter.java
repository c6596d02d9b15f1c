package io.medallion.core.spark;

import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline.OnFailure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Starts {@link StreamingTableJob}s the one way every layer starts its queries: every job prepared
 * first, then each table's auto compaction set, then per job the checkpoint guard, the trigger
 * ({@code AvailableNow} once, else the job's interval), and {@code foreachBatch} with the fault
 * point {@link FaultPoints#BATCH_WRITTEN} after each batch's writes. If one fails to start, those
 * already started are stopped.
 */
public final class StreamingJobStarter {
  private final SparkSession spark;
  private final EventSink events;
  private final FaultInjector faults;

  /**
   * @param events where the jobs' batches record what they wrote
   * @param faults the fault hook ({@link FaultInjector#NONE} in production)
   */
  public StreamingJobStarter(SparkSession spark, EventSink events, FaultInjector faults) {
    this.spark = spark;
    this.events = events;
    this.faults = faults;
  }

  /** Prepares every job, then starts one query per job. */
  public List<RunningQuery> startAll(List<? extends StreamingTableJob> jobs, boolean once) {
    try {
      jobs.forEach(job -> job.prepare(spark));
      for (StreamingTableJob job : jobs) {
        TableMaintenance.applyAutoCompaction(spark, job.target(), job.maintenance());
      }
    } catch (Exception e) {
      // Scala code throws checked exceptions (such as S3A's IOExceptions) undeclared.
      throw StreamRunner.startFailure(e);
    }
    return StreamRunner.startEach(
        jobs,
        job -> {
          job.beforeStart(spark, once);
          Optional<StreamRunner.Restart> restart =
              !once && job.onFailure() == OnFailure.RESTART
                  ? Optional.of(() -> start(job, false))
                  : Optional.empty();
          return new RunningQuery(job.name(), job.checkpoint(), start(job, once), restart);
        });
  }

  private StreamingQuery start(StreamingTableJob job, boolean once) throws TimeoutException {
    boolean checkpointLost = CheckpointGuard.prepare(spark, job.definition());
    VoidFunction2<Dataset<Row>, Long> write =
        (batch, batchId) -> {
          BatchContext context =
              new BatchContext(
                  job.name(),
                  batchId,
                  DeltaWriter.streamingAppId(batch.sparkSession(), job.name()),
                  events,
                  faults);
          job.writeBatch(batch, context);
          faults.reach(FaultPoints.BATCH_WRITTEN + job.name());
        };
    // One start at a time in this JVM, so that a job's own settings reach its query only.
    synchronized (StreamingJobStarter.class) {
      Map<String, String> previous = new HashMap<>();
      job.queryConf()
          .forEach(
              (key, value) -> {
                previous.put(key, spark.conf().contains(key) ? spark.conf().get(key) : null);
                spark.conf().set(key, value);
              });
      try {
        return job.source(spark, checkpointLost)
            .writeStream()
            .queryName(job.name())
            .option("checkpointLocation", job.checkpoint())
            .trigger(
                once
                    ? Trigger.AvailableNow()
                    : Trigger.ProcessingTime(job.triggerInterval().toMillis()))
            .foreachBatch(write)
            .start();
      } finally {
        previous.forEach(
            (key, value) -> {
              if (value == null) {
                spark.conf().unset(key);
              } else {
                spark.conf().set(key, value);
              }
            });
      }
    }
  }
}
