package io.medallion.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamRunnerTest {
  @Test
  void theBackoffDoublesWithEachFailureInARowUpToFiveMinutes() {
    assertThat(StreamRunner.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(StreamRunner.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(StreamRunner.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(StreamRunner.backoff(9)).isEqualTo(Duration.ofSeconds(256));
    assertThat(StreamRunner.backoff(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(StreamRunner.backoff(1_000)).isEqualTo(Duration.ofMinutes(5));
  }
}
