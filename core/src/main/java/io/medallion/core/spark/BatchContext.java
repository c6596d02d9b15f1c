package io.medallion.core.spark;

import io.medallion.core.events.EventSink;

/**
 * What one micro-batch's write needs besides its rows.
 *
 * @param query the streaming query's name, such as {@code silver.plays}
 * @param batchId the micro-batch's id, the version of its idempotent writes
 * @param appId the application id of its idempotent writes (the writer and the query's id)
 * @param events where the write records what it did
 * @param faults the fault hook of the write path
 */
public record BatchContext(
    String query, long batchId, String appId, EventSink events, FaultInjector faults) {

  /** Tells the event log how many rows this batch wrote to its table. */
  public void output(long rows) {
    events.output(query, batchId, rows);
  }
}
