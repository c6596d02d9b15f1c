package io.medallion.testkit;

import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Builds small pipelines for tests and reads back what landed. */
public final class TestLake {
  private TestLake() {}

  /**
   * A pipeline with one bronze table per topic, named like the topic with {@code -} turned into
   * {@code _}.
   *
   * @param maxOffsetsPerTrigger the per-batch limit
   * @param topics topic names and their partition counts, alternating: name, partitions, ...
   */
  public static Pipeline pipeline(long maxOffsetsPerTrigger, Object... topics) {
    StringBuilder yaml = new StringBuilder("name: test\nsources:\n");
    for (int i = 0; i < topics.length; i += 2) {
      yaml.append("  ")
          .append(tableName((String) topics[i]))
          .append(":\n    topic: ")
          .append(topics[i])
          .append("\n    partitions: ")
          .append(topics[i + 1])
          .append('\n');
    }
    yaml.append("bronze:\n  defaults:\n    max_offsets_per_trigger: ")
        .append(maxOffsetsPerTrigger)
        .append("\n    trigger_interval: 200ms\n  tables:\n");
    for (int i = 0; i < topics.length; i += 2) {
      String table = tableName((String) topics[i]);
      yaml.append("    ").append(table).append(":\n      source: ").append(table).append('\n');
    }
    return PipelineLoader.parse(Path.of("test-pipeline.yaml"), yaml.toString());
  }

  /** The bronze table name the test pipeline gives a topic. */
  public static String tableName(String topic) {
    return topic.replace('-', '_');
  }

  /** The (topic, partition, offset) of every row, as a set; duplicates collapse. */
  public static Set<TestKafka.Coordinates> coordinates(Dataset<Row> bronze) {
    return rows(bronze).stream().collect(Collectors.toSet());
  }

  /** The (topic, partition, offset) of every row, duplicates kept. */
  public static List<TestKafka.Coordinates> rows(Dataset<Row> bronze) {
    return bronze.select("topic", "partition", "offset").collectAsList().stream()
        .map(r -> new TestKafka.Coordinates(r.getString(0), r.getInt(1), r.getLong(2)))
        .toList();
  }
}
