package io.medallion.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations written as specs write them, and read back. */
class DurationsTest {
  @ParameterizedTest
  @CsvSource({"PT0S, 0ms", "PT0.5S, 500ms", "PT10M, 10m", "PT90M, 90m", "PT1H, 1h", "P7D, 7d"})
  void aDurationIsWrittenInItsLargestWholeUnitAndReadsBack(String iso, String text) {
    Duration duration = Duration.parse(iso);

    assertThat(Durations.format(duration)).isEqualTo(text);
    assertThat(Durations.parse(text)).contains(duration);
  }
}
