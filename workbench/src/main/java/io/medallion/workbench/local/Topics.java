package io.medallion.workbench.local;

import io.medallion.bronze.PipelineTopics;
import io.medallion.core.spec.Pipeline;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Creates a pipeline's topics on the local, single-broker cluster where they are missing. */
public final class Topics {
  private Topics() {}

  /**
   * Creates every source topic that does not exist yet, with the spec's partition count and
   * replication factor 1.
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
    return PipelineTopics.reconcile(
            bootstrapServers,
            Map.of(),
            pipeline,
            true,
            partitions > 0 ? Optional.of(partitions) : Optional.empty(),
            Optional.of((short) 1))
        .stream()
        .filter(t -> t.state() == PipelineTopics.State.CREATED)
        .map(PipelineTopics.Topic::name)
        .toList();
  }
}
