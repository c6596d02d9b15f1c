package io.medallion.core.spec;

import java.util.Map;

/**
 * A pipeline spec as written in YAML: its Kafka sources and the tables built from them.
 *
 * <p>Keys are snake_case in YAML. Use {@link PipelineLoader} to read and validate one; it returns a
 * {@link Pipeline} with every default resolved.
 *
 * @param name the pipeline's name, a lower-case identifier
 * @param description what the pipeline is for
 * @param sources Kafka sources by name
 * @param bronze the bronze layer: one raw table per source
 */
public record PipelineSpec(
    String name, String description, Map<String, SourceSpec> sources, BronzeSpec bronze) {

  /**
   * One Kafka topic the pipeline reads.
   *
   * @param topic the Kafka topic name
   * @param partitions partitions to create the topic with locally (default 1)
   * @param format payload format; only {@code json} today
   * @param key the payload field the producer keys records by, for documentation
   * @param description what the records are
   */
  public record SourceSpec(
      String topic, Integer partitions, String format, String key, String description) {}

  /**
   * The bronze layer.
   *
   * @param defaults options every table inherits unless it sets its own
   * @param tables bronze tables by name
   */
  public record BronzeSpec(BronzeOptions defaults, Map<String, BronzeTableSpec> tables) {}

  /**
   * Ingestion options; each may be left out to inherit.
   *
   * @param startingOffsets where a new query starts: {@code earliest}, {@code latest} or an
   *     ISO-8601 instant
   * @param maxOffsetsPerTrigger the most Kafka records one micro-batch reads
   * @param failOnDataLoss stop when Kafka no longer has offsets the query has not read yet
   * @param triggerInterval the continuous trigger's interval, such as {@code 5s}
   */
  public record BronzeOptions(
      String startingOffsets,
      Long maxOffsetsPerTrigger,
      Boolean failOnDataLoss,
      String triggerInterval) {}

  /**
   * One bronze table.
   *
   * @param source the name of the source it lands
   * @param description what the table holds
   * @param startingOffsets overrides the layer default
   * @param maxOffsetsPerTrigger overrides the layer default
   * @param failOnDataLoss overrides the layer default
   * @param triggerInterval overrides the layer default
   */
  public record BronzeTableSpec(
      String source,
      String description,
      String startingOffsets,
      Long maxOffsetsPerTrigger,
      Boolean failOnDataLoss,
      String triggerInterval) {}
}
