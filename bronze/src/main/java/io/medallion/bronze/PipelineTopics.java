package io.medallion.bronze;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spec.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The pipeline's source topics on a Kafka cluster: which exist, with how many partitions, and
 * creating the missing ones with the spec's partition count. Creating is idempotent: a topic that
 * exists, or that another client creates at the same moment, is left as it is.
 */
public final class PipelineTopics {
  private PipelineTopics() {}

  /** What a topic of the spec is on the cluster. */
  public enum State {
    EXISTS,
    CREATED,
    MISSING
  }

  /**
   * One source topic.
   *
   * @param partitions the partitions the cluster has, or the spec's count when it is missing
   */
  public record Topic(String name, State state, int partitions, int specPartitions) {
    /** Whether the cluster has the topic with another partition count than the spec's. */
    public boolean differsFromSpec() {
      return state != State.MISSING && partitions != specPartitions;
    }
  }

  /**
   * The source topics of {@code pipeline} on the cluster, each with its state; with {@code create},
   * the missing ones are created first.
   *
   * @param clientConf Kafka client settings (security), as for {@link KafkaPreflight}
   * @param partitions the partition count of a created topic: the spec's when empty
   * @param replicationFactor of a created topic: the cluster's default when empty
   */
  public static List<Topic> reconcile(
      String bootstrapServers,
      Map<String, String> clientConf,
      Pipeline pipeline,
      boolean create,
      Optional<Integer> partitions,
      Optional<Short> replicationFactor) {
    List<String> names = pipeline.sources().stream().map(Pipeline.Source::topic).toList();
    try (Admin admin = KafkaPreflight.admin(bootstrapServers, clientConf)) {
      var existing =
          admin.listTopics().names().get(KafkaPreflight.TIMEOUT_MS, TimeUnit.MILLISECONDS);
      List<String> created = new ArrayList<>();
      if (create) {
        for (Pipeline.Source source : pipeline.sources()) {
          if (!existing.contains(source.topic())
              && createOne(admin, source, partitions, replicationFactor)) {
            created.add(source.topic());
          }
        }
      }
      // Only topics that existed are described: a topic just created may not be in the brokers'
      // metadata yet, and it has the partitions it was created with.
      List<String> present = names.stream().filter(existing::contains).toList();
      Map<String, TopicDescription> described =
          present.isEmpty()
              ? Map.of()
              : admin
                  .describeTopics(present)
                  .allTopicNames()
                  .get(KafkaPreflight.TIMEOUT_MS, TimeUnit.MILLISECONDS);
      List<Topic> topics = new ArrayList<>();
      for (Pipeline.Source source : pipeline.sources()) {
        TopicDescription d = described.get(source.topic());
        State state =
            created.contains(source.topic())
                ? State.CREATED
                : d == null ? State.MISSING : State.EXISTS;
        int held =
            d != null
                ? d.partitions().size()
                : state == State.CREATED
                    ? partitions.orElse(source.partitions())
                    : source.partitions();
        topics.add(new Topic(source.topic(), state, held, source.partitions()));
      }
      return topics;
    } catch (TimeoutException e) {
      throw KafkaPreflight.unreachable(bootstrapServers, e);
    } catch (ExecutionException e) {
      throw refused(bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KafkaPreflight.unreachable(bootstrapServers, e);
    }
  }

  /** Creates one topic; false when another client created it first. */
  private static boolean createOne(
      Admin admin,
      Pipeline.Source source,
      Optional<Integer> partitions,
      Optional<Short> replicationFactor)
      throws ExecutionException, InterruptedException, TimeoutException {
    NewTopic topic =
        new NewTopic(
            source.topic(), Optional.of(partitions.orElse(source.partitions())), replicationFactor);
    try {
      admin
          .createTopics(List.of(topic))
          .all()
          .get(KafkaPreflight.TIMEOUT_MS, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw e;
    }
  }

  private static MedallionException refused(String bootstrapServers, ExecutionException e) {
    Throwable cause = e.getCause() == null ? e : e.getCause();
    return new MedallionException(
        "Kafka at "
            + bootstrapServers
            + " refused to list, describe or create the pipeline's topics: "
            + cause.getMessage(),
        "Check that the client may do so (with MSK IAM: kafka-cluster:Connect, DescribeTopic and"
            + " CreateTopic on the topics), and the replication factor against the broker count.",
        e);
  }
}
