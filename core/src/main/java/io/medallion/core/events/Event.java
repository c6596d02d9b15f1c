package io.medallion.core.events;

/**
 * One thing the platform did, as a row of the event log ({@link EventLog}). Fields that do not
 * apply to a kind are null.
 *
 * @param kind {@link #BATCH}, {@link #RULE}, {@link #MAINTENANCE}, {@link #REPLAY}, {@link
 *     #BACKFILL}, {@link #SCHEMA}, {@link #FAILURE} or {@link #RESTART}
 * @param target what it was about: a query or table ({@code silver.plays}), or a rule ({@code
 *     silver.plays/known_event_type})
 * @param batchId the micro-batch
 * @param rowsIn rows read
 * @param rowsOut rows written (a rule: rows that passed)
 * @param durationMs how long it took
 * @param startOffsets where a batch started reading, as its source reports it (JSON)
 * @param endOffsets where it stopped
 * @param lag records the source held beyond what the batch read, when the batch ended
 * @param watermark the event-time watermark after the batch
 * @param status {@code ok} or {@code failed}
 * @param message a human sentence: a failure's message, a run's summary
 * @param details more, as JSON
 */
public record Event(
    String kind,
    String target,
    Long batchId,
    Long rowsIn,
    Long rowsOut,
    Long durationMs,
    String startOffsets,
    String endOffsets,
    Long lag,
    String watermark,
    String status,
    String message,
    String details) {
  public static final String BATCH = "batch";
  public static final String RULE = "rule";
  public static final String MAINTENANCE = "maintenance";
  public static final String REPLAY = "replay";
  public static final String BACKFILL = "backfill";
  public static final String SCHEMA = "schema";
  public static final String RESTART = "restart";
  public static final String FAILURE = "failure";
  public static final String OK = "ok";
  public static final String FAILED = "failed";

  /** A rule's result over one batch. */
  public static Event rule(
      String table, String rule, String action, long batchId, long passed, long failed) {
    return new Event(
        RULE,
        table + "/" + rule,
        batchId,
        passed + failed,
        passed,
        null,
        null,
        null,
        null,
        null,
        failed == 0 ? OK : FAILED,
        failed + " of " + (passed + failed) + " rows failed (" + action + ")",
        "{\"action\":\"" + action + "\",\"failed\":" + failed + "}");
  }

  /**
   * A table's columns changed to follow its spec: {@code changes} one line each, such as {@code
   * widened column position_s from int to bigint}.
   */
  public static Event schemaChange(String table, java.util.List<String> changes) {
    return note(
        SCHEMA,
        table,
        OK,
        String.join("; ", changes),
        details(java.util.Map.of("changes", changes)));
  }

  /** A query that failed was started again ({@code inARow} failures in a row so far). */
  public static Event restart(String query, int inARow) {
    return note(
        RESTART,
        query,
        OK,
        "restarted from its checkpoint after " + inARow + (inARow == 1 ? " failure" : " failures"),
        details(java.util.Map.of("failures_in_a_row", inARow)));
  }

  /** An event that is a sentence about a target, without rows, offsets or duration. */
  private static Event note(
      String kind, String target, String status, String message, String details) {
    return new Event(
        kind, target, null, null, null, null, null, null, null, null, status, message, details);
  }

  /** A run of a command over a table: maintenance, a replay, a backfill. */
  public static Event run(
      String kind,
      String target,
      long rowsIn,
      long rowsOut,
      long durationMs,
      String status,
      String message,
      String details) {
    return new Event(
        kind,
        target,
        null,
        rowsIn,
        rowsOut,
        durationMs,
        null,
        null,
        null,
        null,
        status,
        message,
        details);
  }

  /** A failure that stopped a job or a query. */
  /** Event details as JSON: {@code values} in their order, written by Jackson. */
  public static String details(java.util.Map<String, ?> values) {
    try {
      return DETAILS.writeValueAsString(values);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("event details that are not JSON: " + values, e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper DETAILS =
      new com.fasterxml.jackson.databind.ObjectMapper();

  public static Event failure(String target, String message) {
    return note(FAILURE, target, FAILED, message, null);
  }
}
