package io.medallion.workbench.local;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spec.Pipeline;
import io.medallion.localstack.LocalKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates a pipeline's topics on a cluster where they are missing. */
public final class Topics {
  private Topics() {}

  /**
   * Creates every source topic that does not exist yet, with the spec's partition count and
   * replication factor 1 (a local, single-broker cluster).
   *
   * @return the topics it created
   */
  public static List<String> ensure(String bootstrapServers, Pipeline pipeline) {
    return ensure(bootstrapServers, pipeline, 0);
  }

  /**
   * Like {@link #ensure(String, Pipeline)}, with {@code partitions} partitions per topic instead of
   * the spec's when it is above 0.
   */
  public static List<String> ensure(String bootstrapServers, Pipeline pipeline, int partitions) {
    try (Admin admin = LocalKafka.admin(bootstrapServers, Duration.ofSeconds(15))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Pipeline.Source source : pipeline.sources()) {
        if (!existing.contains(source.topic())) {
          missing.add(
              new NewTopic(
                  source.topic(), partitions > 0 ? partitions : source.partitions(), (short) 1));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
      return missing.stream().map(NewTopic::name).toList();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new MedallionException(
          "Cannot create the pipeline's topics on Kafka at "
              + bootstrapServers
              + ": "
              + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()),
          "Check that the broker runs: ./lakehouse kafka status.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
