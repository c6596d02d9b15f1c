package io.medallion.core.spec;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Where a bronze query starts reading when it has no checkpoint yet: the earliest offset Kafka
 * still has, the latest, or the first offset at or after a timestamp.
 *
 * @param mode which of the three
 * @param timestamp the instant, for {@link Mode#TIMESTAMP} only
 */
public record StartingOffsets(Mode mode, Instant timestamp) {

  /** The three ways to start. */
  public enum Mode {
    EARLIEST,
    LATEST,
    TIMESTAMP
  }

  public static final StartingOffsets EARLIEST = new StartingOffsets(Mode.EARLIEST, null);
  public static final StartingOffsets LATEST = new StartingOffsets(Mode.LATEST, null);

  /** Parses {@code earliest}, {@code latest} or an ISO-8601 instant; empty when it is none. */
  public static Optional<StartingOffsets> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String value = text.trim();
    if (value.equalsIgnoreCase("earliest")) {
      return Optional.of(EARLIEST);
    }
    if (value.equalsIgnoreCase("latest")) {
      return Optional.of(LATEST);
    }
    try {
      return Optional.of(new StartingOffsets(Mode.TIMESTAMP, Instant.parse(value)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return mode == Mode.TIMESTAMP ? timestamp.toString() : mode.name().toLowerCase();
  }
}
