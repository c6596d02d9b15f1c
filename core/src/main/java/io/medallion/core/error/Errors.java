package io.medallion.core.error;

import java.time.Duration;

/**
 * The catalog of the failures with a code ({@link ErrorCode}): each one's message and fix, written
 * once here, where the runbook's sections in {@code docs/reliability.md} can be checked against
 * them.
 */
public final class Errors {
  private Errors() {}

  /** {@link ErrorCode#KAFKA_DATA_LOSS}: a query met offsets Kafka no longer has. */
  public static MedallionException kafkaDataLoss(
      String query, String kafkaSaid, String checkpoint, Throwable cause) {
    return new MedallionException(
        ErrorCode.KAFKA_DATA_LOSS,
        query
            + " stopped: Kafka no longer has records this query has not read yet. They expired"
            + " (retention) or were deleted, or the topic was deleted and recreated, before"
            + " they were ingested. Nothing was skipped: the query stopped at the gap.\n  Kafka"
            + " said: "
            + kafkaSaid,
        "If the lost records can be re-sent, re-send them, then rerun with"
            + " --allow-data-loss to skip the gap. If the gap is acceptable, rerun with"
            + " --allow-data-loss: the query goes on from the oldest records Kafka still has,"
            + " and the rows already in the table stay. Deleting the checkpoint "
            + checkpoint
            + " does not help: bronze then resumes from the offsets its table holds and meets"
            + " the same gap.",
        cause);
  }

  /** {@link ErrorCode#STORAGE_UNREACHABLE}: S3A gave up reaching the lake. */
  public static MedallionException storageUnreachable(String networkSaid, Throwable cause) {
    return new MedallionException(
        ErrorCode.STORAGE_UNREACHABLE,
        "the lake's storage did not answer, after S3A's retries: "
            + networkSaid
            + ". The job stopped; nothing partial was committed.",
        "Check that the S3 endpoint is reachable (network, fs.s3a.endpoint, credentials), then"
            + " rerun: the batch that failed runs again and lands exactly once.",
        cause);
  }

  /** {@link ErrorCode#CHECKPOINT_LOCKED}: another process holds a local checkpoint's lock. */
  public static MedallionException checkpointLocked(String pid, String query, String checkpoint) {
    return new MedallionException(
        ErrorCode.CHECKPOINT_LOCKED,
        "another process (pid "
            + pid
            + ") is already running "
            + query
            + " on the checkpoint "
            + checkpoint
            + ". Two queries on one checkpoint would both write the table and corrupt the"
            + " checkpoint.",
        "Stop the other process first (Ctrl-C, or kill "
            + pid
            + "), or run this job on another lake root.",
        null);
  }

  /** {@link ErrorCode#CHECKPOINT_LEASED}: another live job holds a checkpoint's lease. */
  public static MedallionException checkpointLeased(
      String owner, long renewedSecondsAgo, String query, String checkpoint, Duration timeout) {
    return new MedallionException(
        ErrorCode.CHECKPOINT_LEASED,
        "another job ("
            + owner
            + ", lease renewed "
            + renewedSecondsAgo
            + " s ago) is running "
            + query
            + " on the checkpoint "
            + checkpoint
            + ". Two jobs on one checkpoint would both write the table; on S3 without"
            + " the DynamoDB LogStore their commits can overwrite each other.",
        "Stop the other job first. If it died, its lease expires "
            + timeout.toSeconds()
            + " s after its last renewal; then start this one again.",
        null);
  }

  /** {@link ErrorCode#CHECKPOINT_DAMAGED}: a checkpoint file is empty, cut short or corrupt. */
  public static MedallionException checkpointDamaged(
      String file, String query, String what, String checkpoint) {
    return new MedallionException(
        ErrorCode.CHECKPOINT_DAMAGED,
        "the checkpoint file "
            + file
            + " of "
            + query
            + " "
            + what
            + ". Spark writes checkpoint files whole, so the file was damaged after it was"
            + " written (a full disk, a partial copy or restore).",
        "Restore the checkpoint folder "
            + checkpoint
            + " from a backup if you have one. Otherwise rebuild the query's state as"
            + " docs/reliability.md describes for "
            + query
            + "'s layer (bronze: move the checkpoint aside and rerun; bronze resumes from the"
            + " offsets its table holds).",
        null);
  }

  /**
   * {@link ErrorCode#CHECKPOINT_LOST}: a checkpoint is gone while its table holds rows written
   * through it.
   *
   * @param fix how to rebuild the query's table, which its layer knows
   */
  public static MedallionException checkpointLost(String query, String checkpoint, String fix) {
    return new MedallionException(
        ErrorCode.CHECKPOINT_LOST,
        query
            + " holds rows written through the checkpoint "
            + checkpoint
            + ", which is now missing or empty. Started without it, the query would read its"
            + " source from the beginning again.",
        fix,
        null);
  }

  /**
   * {@link ErrorCode#QUERY_CHANGED}: the definition of a query changed since its checkpoint.
   *
   * @param changes one line per changed key: {@code key: was X, now Y}
   */
  public static MedallionException queryChanged(String query, String checkpoint, String changes) {
    return new MedallionException(
        ErrorCode.QUERY_CHANGED,
        "the definition of "
            + query
            + " changed since its checkpoint "
            + checkpoint
            + " was made:"
            + changes
            + "\n  Going on from that checkpoint would mix rows made by the old and the new"
            + " definition, or skip or repeat data.",
        "To keep the old definition, undo the change in the pipeline spec. To apply the new"
            + " one, rebuild the table from its source as docs/reliability.md describes"
            + " (silver: ./lakehouse refine --full-refresh --table <name>; gold: ./lakehouse"
            + " aggregate --full-refresh --table <name>, with --cascade for the gold tables that"
            + " read it).",
        null);
  }
}
