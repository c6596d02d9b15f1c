package io.medallion.core.lake;

import java.time.Duration;

/**
 * How often, and how far apart, a write that lost a race with another writer of its table is tried
 * again: the wait doubles from {@code firstBackoff} up to {@code maxBackoff}.
 *
 * @param attempts tries in all, at least 1
 * @param firstBackoff the wait before the second try
 * @param maxBackoff the longest wait between two tries
 */
public record RetryPolicy(int attempts, Duration firstBackoff, Duration maxBackoff) {
  /** Five tries, 200 ms apart at first, at most 5 s apart. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
    }
    if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must be 0 or more and at most " + maxBackoff + ", not " + firstBackoff);
    }
  }

  /** The wait after the failed try number {@code attempt} (1 for the first). */
  public Duration backoff(int attempt) {
    Duration wait = firstBackoff;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
