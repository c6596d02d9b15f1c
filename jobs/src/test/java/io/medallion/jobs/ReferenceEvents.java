package io.medallion.jobs;

import io.medallion.core.spec.PipelineLoader;
import io.medallion.jobs.generate.EventProducer;
import io.medallion.jobs.generate.GeneratorSettings;
import io.medallion.jobs.local.Topics;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference pipeline's events (5% malformed, 5% re-sent) produced to a test's topics, with the
 * coordinates of every record the broker acknowledged: the oracle's ground truth.
 */
final class ReferenceEvents {
  private final Map<String, String> topics;
  private final Set<Coordinates> acknowledged = ConcurrentHashMap.newKeySet();

  /** Events for the spec {@link ReferenceSpec#copy} wrote with {@code prefix}; makes its topics. */
  ReferenceEvents(Path spec, String prefix) {
    Topics.ensure(TestKafka.bootstrapServers(), PipelineLoader.load(spec));
    this.topics =
        Map.of(
            "plays",
            prefix + "plays",
            "impressions",
            prefix + "impressions",
            "titles",
            prefix + "titles");
  }

  /** Produces {@code events} events, {@code rate} per second (0: at once); returns when acked. */
  void produce(long events, long seed, double rate) {
    EventProducer.Report report =
        EventProducer.run(
            TestKafka.bootstrapServers(),
            Map.of(),
            new GeneratorSettings(events, seed, 0.05, 0.05, 0.02, Instant.now(), rate, 50, 200),
            topics,
            (topic, partition, offset, sentAt) ->
                acknowledged.add(new Coordinates(topic, partition, offset)));
    if (report.failed() > 0) {
      throw new IllegalStateException(report.failed() + " sends were not acknowledged");
    }
  }

  /** Like {@link #produce}, in the background. */
  CompletableFuture<Void> produceInBackground(long events, long seed, double rate) {
    return CompletableFuture.runAsync(() -> produce(events, seed, rate));
  }

  /** The records acknowledged so far. */
  Set<Coordinates> acknowledged() {
    return Set.copyOf(acknowledged);
  }
}
