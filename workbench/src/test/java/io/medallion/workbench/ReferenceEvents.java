package io.medallion.workbench;

import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.GeneratorSettings;
import io.medallion.workbench.local.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The reference pipeline's events (5% malformed, 5% re-sent) produced to a test's topics, with the
 * coordinates of every record the broker acknowledged: the oracle's ground truth.
 */
final class ReferenceEvents {
  private final Map<String, String> topics;
  private final Set<Coordinates> acknowledged = ConcurrentHashMap.newKeySet();

  /** Events for a spec {@link ReferenceSpec} wrote with {@code prefix}; makes the topics. */
  ReferenceEvents(Path spec, String prefix) {
    Topics.ensure(TestKafka.bootstrapServers(), PipelineLoader.load(spec));
    this.topics =
        Map.of(
            "plays", prefix + "plays",
            "impressions", prefix + "impressions",
            "titles", prefix + "titles");
    // A spec cut down to some flows still gets every kind of event: make the other topics too.
    try (Admin admin = TestKafka.admin()) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          topics.values().stream()
              .filter(t -> !existing.contains(t))
              .map(t -> new NewTopic(t, 1, (short) 1))
              .toList();
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the reference topics", e);
    }
  }

  /** Produces {@code events} events, {@code rate} per second (0: at once); returns when acked. */
  void produce(long events, long seed, double rate) {
    produce(events, seed, rate, Instant.now());
  }

  /** Like {@link #produce(long, long, double)}, with event times up to {@code until}. */
  void produce(long events, long seed, double rate, Instant until) {
    EventProducer.Report report =
        EventProducer.run(
            TestKafka.bootstrapServers(),
            Map.of(),
            new GeneratorSettings(events, seed, 0.05, 0.05, 0.02, until, rate, 50, 200),
            topics,
            ack -> acknowledged.add(new Coordinates(ack.topic(), ack.partition(), ack.offset())));
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
