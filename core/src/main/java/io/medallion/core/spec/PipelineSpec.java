package io.medallion.core.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param silver the silver layer: typed, validated, deduplicated tables refined from bronze
 * @param gold the gold layer: aggregates defined by SQL over silver
 * @param maintenance how {@code lakehouse maintain} compacts and vacuums the tables
 */
public record PipelineSpec(
    String name,
    String description,
    Map<String, SourceSpec> sources,
    BronzeSpec bronze,
    SilverSpec silver,
    GoldSpec gold,
    MaintenanceSpec maintenance) {

  /**
   * Table maintenance policies: defaults, then per layer, then per table; the most specific wins.
   *
   * @param defaults every table's policy
   * @param bronze bronze tables' policy
   * @param silver silver tables' policy (quarantine included)
   * @param gold gold tables' policy
   * @param tables per table, by qualified name such as {@code silver.plays}
   */
  public record MaintenanceSpec(
      MaintenanceOptions defaults,
      MaintenanceOptions bronze,
      MaintenanceOptions silver,
      MaintenanceOptions gold,
      Map<String, MaintenanceOptions> tables) {}

  /**
   * One maintenance policy; unset values come from the less specific level.
   *
   * @param targetFileSize the size OPTIMIZE compacts files towards, such as {@code 128MB}
   * @param zorderBy columns OPTIMIZE clusters the files by (Z-order); none by default
   * @param vacuumRetention how long files a table no longer uses are kept before VACUUM deletes
   *     them, such as {@code 168h}; at least 168h, so no streaming reader or running job loses a
   *     file it still needs
   * @param autoCompact whether the job that writes the table compacts its small files right after a
   *     commit leaves many of them (Delta's auto compaction); on by default
   */
  public record MaintenanceOptions(
      String targetFileSize, List<String> zorderBy, String vacuumRetention, Boolean autoCompact) {}

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
   * @param onFailure what a continuous run does when a table's query fails: {@code stop} or {@code
   *     restart}
   */
  public record BronzeOptions(
      String startingOffsets,
      Long maxOffsetsPerTrigger,
      Boolean failOnDataLoss,
      String triggerInterval,
      String onFailure) {}

  /**
   * One bronze table.
   *
   * @param source the name of the source it lands
   * @param description what the table holds
   * @param startingOffsets overrides the layer default
   * @param maxOffsetsPerTrigger overrides the layer default
   * @param failOnDataLoss overrides the layer default
   * @param triggerInterval overrides the layer default
   * @param onFailure overrides the layer default
   */
  public record BronzeTableSpec(
      String source,
      String description,
      String startingOffsets,
      Long maxOffsetsPerTrigger,
      Boolean failOnDataLoss,
      String triggerInterval,
      String onFailure) {}

  /**
   * The silver layer.
   *
   * @param defaults options every table inherits unless it sets its own
   * @param tables silver tables by name ({@code quarantine} is reserved for the shared table)
   */
  public record SilverSpec(SilverOptions defaults, Map<String, SilverTableSpec> tables) {}

  /**
   * Refinement options; each may be left out to inherit.
   *
   * @param triggerInterval the continuous trigger's interval, such as {@code 5s}
   * @param maxFilesPerTrigger the most bronze files one micro-batch reads
   * @param onFailure what a continuous run does when a table's query fails: {@code stop} or {@code
   *     restart}
   */
  public record SilverOptions(
      String triggerInterval, Integer maxFilesPerTrigger, String onFailure) {}

  /**
   * One silver table.
   *
   * @param source the bronze table it refines
   * @param description what the table holds
   * @param payload how the bronze {@code value} bytes are parsed
   * @param transform an optional transformation of the parsed rows
   * @param expectations data-quality rules, evaluated in order
   * @param write how accepted rows are written
   * @param triggerInterval overrides the layer default
   * @param maxFilesPerTrigger overrides the layer default
   * @param onFailure overrides the layer default
   */
  public record SilverTableSpec(
      String source,
      String description,
      PayloadSpec payload,
      TransformSpec transform,
      List<ExpectationSpec> expectations,
      WriteSpec write,
      String triggerInterval,
      Integer maxFilesPerTrigger,
      String onFailure) {}

  /**
   * The payload's format and schema.
   *
   * @param format {@code json} today; the slot where {@code avro} with a schema registry goes
   * @param schema field name to Spark SQL type ({@code string}, {@code int}, {@code timestamp},
   *     {@code array<string>}, ...), in column order
   * @param required fields that must be present and not null
   */
  public record PayloadSpec(
      String format, LinkedHashMap<String, String> schema, List<String> required) {}

  /**
   * A transformation of the parsed rows: exactly one of the three.
   *
   * @param sql a query over the view {@code input}
   * @param sqlFile a file holding such a query, relative to the spec
   * @param className a class implementing {@code io.medallion.silver.SilverTransform}, by its fully
   *     qualified name
   */
  public record TransformSpec(
      String sql, String sqlFile, @JsonProperty("class") String className) {}

  /**
   * A data-quality rule: a row rule ({@code rule}) or a table rule ({@code unique}).
   *
   * @param name the rule's name, recorded with its results and in quarantine
   * @param rule a SQL boolean expression that every row must satisfy (null counts as false)
   * @param unique columns whose values no two different records of one batch may share
   * @param action {@code warn}, {@code drop}, {@code quarantine} or {@code fail}
   * @param description what the rule protects
   */
  public record ExpectationSpec(
      String name, String rule, List<String> unique, String action, String description) {}

  /**
   * How accepted rows are written.
   *
   * @param mode {@code append}, {@code scd1} (upsert by key, newest sequence wins) or {@code scd2}
   *     (a version per change, with validity columns)
   * @param keys the key columns; for {@code append}, rows whose key is already in the table are
   *     duplicates
   * @param sequenceBy the column that orders changes to one key ({@code scd1}, {@code scd2})
   * @param effectiveAt the timestamp column a version is valid from ({@code scd2})
   * @param deleteWhen a SQL condition marking a change record as a delete
   * @param partitionBy partition columns of the table
   * @param eventTime append: the payload's timestamp column that bounds de-duplication by key
   * @param dedupeWithin append with {@code event_time}: how long after its event time a key is held
   *     in state, such as {@code 7d}
   */
  public record WriteSpec(
      String mode,
      List<String> keys,
      String sequenceBy,
      String effectiveAt,
      String deleteWhen,
      List<String> partitionBy,
      String eventTime,
      String dedupeWithin) {}

  /**
   * The gold layer.
   *
   * @param defaults options every table inherits unless it sets its own
   * @param tables gold tables by name
   */
  public record GoldSpec(GoldOptions defaults, Map<String, GoldTableSpec> tables) {}

  /**
   * Aggregation options.
   *
   * @param triggerInterval the continuous trigger's interval, such as {@code 10s}
   * @param onFailure what a continuous run does when a table's query fails: {@code stop} or {@code
   *     restart}
   */
  public record GoldOptions(String triggerInterval, String onFailure) {}

  /**
   * One gold table.
   *
   * @param description what it means, for analysts
   * @param sql the query over silver (and gold) tables, by qualified name
   * @param sqlFile a file holding it, relative to the spec
   * @param className instead of a query: a class implementing {@code
   *     io.medallion.gold.GoldTransform}, which computes the table in Java
   * @param sources with {@code class}: the tables it reads, by qualified name (a query names its
   *     own)
   * @param refresh {@code full}, {@code incremental} or {@code streaming}
   * @param slice incremental and streaming: the DATE column, present in every source and in the
   *     output, that says which part of the table a new source row affects
   * @param watermark streaming: how far behind the newest event time an event may arrive and still
   *     update its slice at once, such as {@code 10m}; later events wait for the next batch run
   * @param eventTime streaming: the sources' event-time column (default {@code event_time})
   * @param window streaming: the event-time windows of the output that close one by one as the
   *     watermark passes them, instead of whole slices
   * @param partitionBy partition columns
   * @param triggerInterval overrides the layer default
   * @param onFailure overrides the layer default
   */
  public record GoldTableSpec(
      String description,
      String sql,
      String sqlFile,
      @JsonProperty("class") String className,
      List<String> sources,
      String refresh,
      String slice,
      String watermark,
      String eventTime,
      WindowSpec window,
      List<String> partitionBy,
      String triggerInterval,
      String onFailure) {}

  /**
   * A streaming gold table's event-time windows: tumbling windows of {@code size}, aligned to the
   * epoch (in UTC), whose start is the output column {@code column}.
   *
   * @param column the output's TIMESTAMP column holding a row's window start, such as {@code
   *     window_start}
   * @param size the windows' length, such as {@code 1h}; a whole number of them makes a day
   */
  public record WindowSpec(String column, String size) {}
}
