package io.medallion.core.spark;

import io.medallion.core.error.MedallionException;
import java.util.Locale;

/**
 * Explains why a streaming query stopped, in terms a user can act on. Failures that are not
 * recognised pass through unchanged.
 */
public final class StreamFailures {
  private StreamFailures() {}

  /**
   * Translates a streaming query's failure.
   *
   * @param query the query's name, such as {@code bronze.plays}
   * @param checkpoint the query's checkpoint location
   * @param failure what the query threw
   * @return a {@link MedallionException} for a known cause, else {@code failure} itself
   */
  public static RuntimeException explain(String query, String checkpoint, Throwable failure) {
    String messages = messages(failure);
    String lower = messages.toLowerCase(Locale.ROOT);
    if (messages.contains("KAFKA_DATA_LOSS") || lower.contains("data may have been lost")) {
      return new MedallionException(
          query
              + " stopped: Kafka no longer has records this query has not read yet. They expired"
              + " (retention) or were deleted, or the topic was deleted and recreated, before"
              + " they were ingested. Nothing was skipped: the query stopped at the gap.\n  Kafka"
              + " said: "
              + firstLine(failure, "KAFKA_DATA_LOSS"),
          "If the lost records can be re-sent, re-send them, then rerun with"
              + " --allow-data-loss to skip the gap. If the gap is acceptable, rerun with"
              + " --allow-data-loss: the query goes on from the oldest records Kafka still has,"
              + " and the rows already in the table stay. Deleting the checkpoint "
              + checkpoint
              + " does not help: bronze then resumes from the offsets its table holds and meets"
              + " the same gap.",
          failure);
    }
    return failure instanceof RuntimeException r
        ? r
        : new IllegalStateException(query + " failed: " + failure.getMessage(), failure);
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
      if (t.getCause() == t) {
        break;
      }
    }
    return all.toString();
  }

  /** The line of the first message in the cause chain that mentions {@code marker}. */
  private static String firstLine(Throwable failure, String marker) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains(marker)) {
        return m.substring(m.indexOf(marker)).lines().findFirst().orElse(marker);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String m = failure.getMessage();
    return m == null ? failure.getClass().getName() : m.lines().findFirst().orElse(m);
  }
}
