package io.medallion.bronze;

import io.medallion.core.error.MedallionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Checks, before any query starts, that Kafka answers and has the topics a job reads. Spark's Kafka
 * source would otherwise wait forever on an unreachable broker or a missing topic.
 */
public final class KafkaPreflight {
  static final int TIMEOUT_MS = 15_000;

  private KafkaPreflight() {}

  /**
   * Fails with a {@link MedallionException} unless every topic exists on the cluster.
   *
   * @param bootstrapServers the cluster
   * @param clientConf extra Kafka client settings (security), without the {@code kafka.} prefix
   * @param topics the topics the job will read
   */
  public static void check(
      String bootstrapServers, Map<String, String> clientConf, Collection<String> topics) {
    Set<String> existing;
    try (Admin admin = admin(bootstrapServers, clientConf)) {
      existing = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw unreachable(bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(bootstrapServers, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new MedallionException(
          "Cannot connect to Kafka at " + bootstrapServers + ": " + e.getMessage(),
          "Check --bootstrap-servers (HOST:PORT[,HOST:PORT...]).",
          e);
    }
    List<String> missing = new ArrayList<>();
    for (String topic : topics) {
      if (!existing.contains(topic)) {
        missing.add(topic);
      }
    }
    if (!missing.isEmpty()) {
      throw new MedallionException(
          "Kafka at "
              + bootstrapServers
              + " has no topic "
              + String.join(", ", missing)
              + " (it has: "
              + (existing.isEmpty() ? "none" : String.join(", ", new TreeSet<>(existing)))
              + ").",
          "Create the pipeline's topics: ./lakehouse kafka start creates them on the local"
              + " broker, and ./lakehouse generate creates them before it produces.");
    }
  }

  /** How many partitions {@code topic} has now. */
  public static int partitions(
      String bootstrapServers, Map<String, String> clientConf, String topic) {
    return latestOffsets(bootstrapServers, clientConf, topic).size();
  }

  /** The next offset of each partition of {@code topic} (its log end), now. */
  public static Map<Integer, Long> latestOffsets(
      String bootstrapServers, Map<String, String> clientConf, String topic) {
    try (Admin admin = admin(bootstrapServers, clientConf)) {
      int partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
              .get(topic)
              .partitions()
              .size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<Integer, Long> latest = new TreeMap<>();
      admin
          .listOffsets(request)
          .all()
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> latest.put(tp.partition(), info.offset()));
      return latest;
    } catch (TimeoutException | ExecutionException e) {
      throw unreachable(bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(bootstrapServers, e);
    }
  }

  /** An admin client with short timeouts, so that an unreachable cluster fails fast. */
  static Admin admin(String bootstrapServers, Map<String, String> clientConf) {
    Map<String, Object> conf = new HashMap<>(clientConf);
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    conf.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return Admin.create(conf);
  }

  static MedallionException unreachable(String bootstrapServers, Exception cause) {
    return new MedallionException(
        "Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT_MS / 1000 + " s.",
        "Start the local broker with ./lakehouse kafka start, or pass the right"
            + " --bootstrap-servers HOST:PORT.",
        cause);
  }
}
