package io.medallion.core.spark;

import io.medallion.core.error.Errors;
import io.medallion.core.error.MedallionException;
import java.util.Locale;
import java.util.Optional;

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
      return Errors.kafkaDataLoss(
          query, firstLine(failure, "KAFKA_DATA_LOSS"), checkpoint, failure);
    }
    Optional<MedallionException> storage = unreachableStorage(failure);
    if (storage.isPresent()) {
      return storage.get();
    }
    return failure instanceof RuntimeException r
        ? r
        : new IllegalStateException(query + " failed: " + failure.getMessage(), failure);
  }

  /**
   * Explains a failure to reach the lake's object store (S3A), after S3A's own retries gave up.
   * Nothing partial is visible then: a Delta commit either happened or did not, and a batch whose
   * commit did not happen runs again on the next start.
   */
  public static Optional<MedallionException> unreachableStorage(Throwable failure) {
    boolean s3a = false;
    Throwable network = null;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage());
      s3a |= t.getClass().getName().startsWith("org.apache.hadoop.fs.s3a.") || m.contains("s3a://");
      if (network == null
          && (t instanceof java.net.ConnectException
              || t instanceof java.net.UnknownHostException
              || t instanceof java.net.NoRouteToHostException
              || t instanceof java.net.SocketTimeoutException
              || t instanceof java.net.SocketException
              || t.getClass().getName().endsWith("SdkClientException"))) {
        network = t;
      }
    }
    if (!s3a || network == null) {
      return Optional.empty();
    }
    return Optional.of(
        Errors.storageUnreachable(
            String.valueOf(network.getMessage()).lines().findFirst().orElse(""), failure));
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
