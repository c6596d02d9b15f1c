package io.medallion.core.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated pipeline with every default resolved: what the engines run.
 *
 * @param file the spec file it was loaded from; SQL files are resolved against its folder
 * @param name the pipeline's name
 * @param description what it is for
 * @param sources the Kafka sources, in spec order
 * @param bronzeTables the bronze tables, in spec order
 */
public record Pipeline(
    Path file,
    String name,
    String description,
    List<Source> sources,
    List<BronzeTable> bronzeTables) {

  /**
   * A Kafka source.
   *
   * @param name its name in the spec
   * @param topic the Kafka topic
   * @param partitions partitions to create the topic with locally
   * @param format the payload format
   */
  public record Source(String name, String topic, int partitions, String format) {}

  /**
   * A bronze table and how it is ingested.
   *
   * @param name the table name, also its folder under {@code <lake-root>/bronze/}
   * @param source the source it lands
   * @param startingOffsets where a new query starts
   * @param maxOffsetsPerTrigger the most records one micro-batch reads
   * @param failOnDataLoss whether expired or deleted offsets stop the query
   * @param triggerInterval the continuous trigger's interval
   */
  public record BronzeTable(
      String name,
      Source source,
      StartingOffsets startingOffsets,
      long maxOffsetsPerTrigger,
      boolean failOnDataLoss,
      Duration triggerInterval) {

    /** The fully qualified name analysts use, such as {@code bronze.plays}. */
    public String qualifiedName() {
      return "bronze." + name;
    }
  }

  /** The bronze table with this name, if any. */
  public Optional<BronzeTable> bronzeTable(String tableName) {
    return bronzeTables.stream().filter(t -> t.name().equals(tableName)).findFirst();
  }
}
