package io.medallion.core.spec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the short durations used in specs and on the command line: {@code 500ms}, {@code 5s}. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * The shortest text {@link #parse} reads back as {@code duration}, such as {@code 90m} or {@code
   * 1d}.
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis != 0 && millis % units[i] == 0) {
        return millis / units[i] + names[i];
      }
    }
    return millis + "ms";
  }

  /**
   * A duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or {@code 7d}; empty if
   * malformed.
   */
  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        });
  }
}
