package io.medallion.core.spec;

import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableRef;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated pipeline with every default resolved: what the engines run.
 *
 * @param file the spec file it was loaded from; SQL files are resolved against its folder
 * @param name the pipeline's name
 * @param description what it is for
 * @param sources the Kafka sources, in spec order
 * @param bronzeTables the bronze tables, in spec order
 * @param silverTables the silver tables, in spec order
 * @param goldTables the gold tables, in spec order
 */
public record Pipeline(
    Path file,
    String name,
    String description,
    List<Source> sources,
    List<BronzeTable> bronzeTables,
    List<SilverTable> silverTables,
    List<GoldTable> goldTables,
    Map<String, MaintenancePolicy> maintenance) {

  /**
   * How {@code lakehouse maintain} keeps a table healthy.
   *
   * @param targetFileBytes the file size OPTIMIZE compacts towards
   * @param zorderBy columns to Z-order by; empty for plain compaction
   * @param vacuumRetention how long unused files are kept before VACUUM deletes them
   * @param autoCompact whether the table's writers compact its small files as they pile up, between
   *     runs of {@code maintain} (Delta's auto compaction)
   */
  public record MaintenancePolicy(
      long targetFileBytes, List<String> zorderBy, Duration vacuumRetention, boolean autoCompact) {}

  /**
   * This pipeline as the engines run it with {@code overrides} from the command line: every table's
   * settings replaced where a flag says so.
   */
  public Pipeline with(Overrides overrides) {
    List<BronzeTable> bronze = bronzeTables.stream().map(t -> t.with(overrides)).toList();
    return new Pipeline(
        file,
        name,
        description,
        sources,
        bronze,
        silverTables.stream().map(t -> t.with(overrides, bronzeOf(bronze, t.source()))).toList(),
        goldTables.stream()
            .map(
                t ->
                    t.with(
                        overrides.triggerInterval().orElse(t.triggerInterval()), t.maintenance()))
            .toList(),
        maintenance);
  }

  /** The pipeline with each table carrying its maintenance policy, as the loader resolved it. */
  Pipeline withMaintenance() {
    List<BronzeTable> bronze =
        bronzeTables.stream()
            .map(t -> t.withMaintenance(maintenance.get(t.qualifiedName())))
            .toList();
    return new Pipeline(
        file,
        name,
        description,
        sources,
        bronze,
        silverTables.stream()
            .map(t -> t.with(maintenance.get(t.qualifiedName()), bronzeOf(bronze, t.source())))
            .toList(),
        goldTables.stream()
            .map(t -> t.with(t.triggerInterval(), maintenance.get(t.qualifiedName())))
            .toList(),
        maintenance);
  }

  private static BronzeTable bronzeOf(List<BronzeTable> bronze, BronzeTable source) {
    return bronze.stream().filter(b -> b.name().equals(source.name())).findFirst().orElse(source);
  }

  /**
   * Every table of the pipeline a query may read, in layer order: bronze, silver (with {@code
   * silver.quarantine}), gold and the system tables.
   */
  public List<TableRef> tables() {
    List<TableRef> all = new java.util.ArrayList<>();
    bronzeTables.forEach(t -> all.add(t.ref()));
    silverTables.forEach(t -> all.add(t.ref()));
    all.add(TableRef.of(Layer.SILVER, QUARANTINE_TABLE));
    goldTables.forEach(t -> all.add(t.ref()));
    all.addAll(io.medallion.core.lake.SystemTables.ALL);
    return List.copyOf(all);
  }

  /** The maintenance policy of {@code silver.quarantine}. */
  public MaintenancePolicy quarantineMaintenance() {
    return maintenance.get("silver." + QUARANTINE_TABLE);
  }

  /** Every table {@code lakehouse maintain} looks after, by qualified name, in layer order. */
  public java.util.Set<String> maintainedTables() {
    return maintenance.keySet();
  }

  /** The name of the one silver table that holds every rejected record. */
  public static final String QUARANTINE_TABLE = "quarantine";

  /** Platform tables queries may read, by qualified name (the layer {@code _system}). */
  public static final List<String> SYSTEM_TABLES =
      io.medallion.core.lake.SystemTables.ALL.stream()
          .map(io.medallion.core.lake.TableRef::qualifiedName)
          .toList();

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
   * @param maintenance how the table is kept healthy
   * @param onFailure what a continuous run does when the table's query fails
   */
  public record BronzeTable(
      String name,
      Source source,
      StartingOffsets startingOffsets,
      long maxOffsetsPerTrigger,
      boolean failOnDataLoss,
      Duration triggerInterval,
      MaintenancePolicy maintenance,
      OnFailure onFailure) {

    BronzeTable with(Overrides o) {
      return new BronzeTable(
          name,
          source,
          o.startingOffsets().orElse(startingOffsets),
          o.maxOffsetsPerTrigger().orElse(maxOffsetsPerTrigger),
          failOnDataLoss && !o.allowDataLoss(),
          o.triggerInterval().orElse(triggerInterval),
          maintenance,
          onFailure);
    }

    /** This table with {@code policy} as its maintenance policy. */
    public BronzeTable withMaintenance(MaintenancePolicy policy) {
      return new BronzeTable(
          name,
          source,
          startingOffsets,
          maxOffsetsPerTrigger,
          failOnDataLoss,
          triggerInterval,
          policy,
          onFailure);
    }

    /** The table's identity: {@code bronze.<name>}. */
    public TableRef ref() {
      return TableRef.of(Layer.BRONZE, name);
    }

    /** The fully qualified name analysts use, such as {@code bronze.plays}. */
    public String qualifiedName() {
      return ref().qualifiedName();
    }
  }

  /** The bronze table with this name, if any. */
  public Optional<BronzeTable> bronzeTable(String tableName) {
    return bronzeTables.stream().filter(t -> t.name().equals(tableName)).findFirst();
  }

  /** The silver table with this name, if any. */
  public Optional<SilverTable> silverTable(String tableName) {
    return silverTables.stream().filter(t -> t.name().equals(tableName)).findFirst();
  }

  /**
   * A silver table and how it is refined from bronze.
   *
   * @param name the table name, also its folder under {@code <lake-root>/silver/}
   * @param source the bronze table it reads
   * @param description what it holds
   * @param payload how bronze values are parsed
   * @param transform the transformation of parsed rows
   * @param expectations data-quality rules, in spec order
   * @param write how accepted rows are written
   * @param triggerInterval the continuous trigger's interval
   * @param maxFilesPerTrigger the most bronze files one micro-batch reads
   * @param maintenance how the table is kept healthy
   * @param specFile the spec that declares it, named by errors found when it runs
   * @param onFailure what a continuous run does when the table's query fails
   */
  public record SilverTable(
      String name,
      BronzeTable source,
      String description,
      Payload payload,
      Transform transform,
      List<Expectation> expectations,
      Write write,
      Duration triggerInterval,
      int maxFilesPerTrigger,
      MaintenancePolicy maintenance,
      Path specFile,
      OnFailure onFailure) {

    SilverTable with(Overrides o, BronzeTable resolvedSource) {
      return new SilverTable(
          name,
          resolvedSource,
          description,
          payload,
          transform,
          expectations,
          write,
          o.triggerInterval().orElse(triggerInterval),
          maxFilesPerTrigger,
          maintenance,
          specFile,
          onFailure);
    }

    SilverTable with(MaintenancePolicy policy, BronzeTable resolvedSource) {
      return new SilverTable(
          name,
          resolvedSource,
          description,
          payload,
          transform,
          expectations,
          write,
          triggerInterval,
          maxFilesPerTrigger,
          policy,
          specFile,
          onFailure);
    }

    /** The table's identity: {@code silver.<name>}. */
    public TableRef ref() {
      return TableRef.of(Layer.SILVER, name);
    }

    /** The fully qualified name analysts use, such as {@code silver.plays}. */
    public String qualifiedName() {
      return ref().qualifiedName();
    }
  }

  /**
   * A payload format and its fields.
   *
   * @param format {@code json}
   * @param fields the declared fields, in column order
   * @param specKey where the schema is declared, for errors about the table's columns
   * @param specLine the line of {@code specKey}
   */
  public record Payload(String format, List<Field> fields, String specKey, int specLine) {
    /** A payload declared nowhere in particular (tests, builders). */
    public Payload(String format, List<Field> fields) {
      this(format, fields, "payload.schema", 0);
    }
  }

  /**
   * One payload field.
   *
   * @param name the field's name in the payload and the column's name
   * @param type a Spark SQL type in DDL form, such as {@code int} or {@code array<string>}
   * @param required whether a record without it (or with null) is rejected
   */
  public record Field(String name, String type, boolean required) {}

  /**
   * A transformation of parsed rows.
   *
   * @param kind none, SQL text or a Java class
   * @param text the SQL query (over the view {@code input}) or the class name
   * @param specKey where it is declared, for errors found when the query is analysed
   * @param specLine the line of {@code specKey}
   */
  public record Transform(TransformKind kind, String text, String specKey, int specLine) {
    /** No transformation: the parsed rows as they are. */
    public static final Transform NONE = new Transform(TransformKind.NONE, "", "", 0);
  }

  /** How a silver table transforms its parsed rows. */
  public enum TransformKind {
    NONE,
    SQL,
    CLASS
  }

  /**
   * A data-quality rule.
   *
   * @param name its name
   * @param rule a SQL boolean expression per row; empty for a table rule
   * @param unique columns no two different records of a batch may share; empty for a row rule
   * @param action what happens to a row that fails
   * @param specKey where it is declared
   * @param specLine the line of {@code specKey}
   */
  public record Expectation(
      String name,
      String rule,
      List<String> unique,
      ExpectationAction action,
      String specKey,
      int specLine) {

    /** Whether this is a table rule (key uniqueness within a batch). */
    public boolean isUnique() {
      return !unique.isEmpty();
    }
  }

  /** What happens to a row that fails a rule. */
  public enum ExpectationAction {
    /** Keep the row and count the failure. */
    WARN,
    /** Discard the row and count it. */
    DROP,
    /** Move the row to {@code silver.quarantine} with the rule and a reason. */
    QUARANTINE,
    /** Stop the job with the rule and an example row. */
    FAIL
  }

  /**
   * How accepted rows are written.
   *
   * @param mode append, SCD type 1 or SCD type 2
   * @param keys the key columns
   * @param sequenceBy the column ordering changes to one key; empty for append
   * @param effectiveAt the column a version is valid from; empty unless SCD type 2
   * @param deleteWhen a SQL condition marking a delete; empty when there are none
   * @param partitionBy partition columns
   * @param eventTime append: the payload's timestamp column that bounds de-duplication by key;
   *     empty when each batch is checked against the whole table
   * @param dedupeWithin append with {@code eventTime}: how long after its event time a key is held
   *     in the query's state; an older record is checked against the partitions it can live in
   */
  public record Write(
      WriteMode mode,
      List<String> keys,
      String sequenceBy,
      String effectiveAt,
      String deleteWhen,
      List<String> partitionBy,
      String eventTime,
      Duration dedupeWithin) {
    /** The horizon of a table that declares {@code event_time} and no {@code dedupe_within}. */
    public static final Duration DEFAULT_DEDUPE_WITHIN = Duration.ofDays(7);

    /** A write whose de-duplication reads the whole table (no event time declared). */
    public Write(
        WriteMode mode,
        List<String> keys,
        String sequenceBy,
        String effectiveAt,
        String deleteWhen,
        List<String> partitionBy) {
      this(mode, keys, sequenceBy, effectiveAt, deleteWhen, partitionBy, "", DEFAULT_DEDUPE_WITHIN);
    }

    /** Whether keys are held in the query's state for {@link #dedupeWithin} of event time. */
    public boolean keysInState() {
      return mode == WriteMode.APPEND && !keys.isEmpty() && !eventTime.isEmpty();
    }
  }

  /** How a silver table is written. */
  public enum WriteMode {
    /** Insert rows whose key is new; the rest are duplicates. */
    APPEND,
    /** Keep the current row per key: the newest sequence wins, deletes remove the key. */
    SCD1,
    /** Keep every version per key with valid_from, valid_to and is_current. */
    SCD2
  }

  /** The gold table with this name, if any. */
  public Optional<GoldTable> goldTable(String tableName) {
    return goldTables.stream().filter(t -> t.name().equals(tableName)).findFirst();
  }

  /**
   * A gold table and how it is refreshed.
   *
   * @param name the table name, also its folder under {@code <lake-root>/gold/}
   * @param description what it means
   * @param sql its query; empty when a Java class computes it
   * @param className the class implementing {@code io.medallion.gold.GoldTransform} that computes
   *     it; empty when a query does
   * @param sources the qualified tables the query reads, such as {@code silver.plays}
   * @param refresh how it is refreshed
   * @param slice incremental and streaming: the DATE column naming the part a change affects
   * @param watermark streaming: the allowed lateness before an event waits for a batch run
   * @param eventTime streaming: the sources' event-time column
   * @param window streaming: the event-time windows that close one by one as the watermark passes
   *     them; null when a slice closes whole
   * @param partitionBy partition columns
   * @param triggerInterval the continuous trigger's interval
   * @param specKey where it is declared, for errors found when the query is analysed
   * @param specLine the line of {@code specKey}
   * @param maintenance how the table is kept healthy
   * @param specFile the spec that declares it
   * @param onFailure what a continuous run does when the table's query fails
   */
  public record GoldTable(
      String name,
      String description,
      String sql,
      String className,
      List<String> sources,
      Refresh refresh,
      String slice,
      Duration watermark,
      String eventTime,
      EventWindow window,
      List<String> partitionBy,
      Duration triggerInterval,
      String specKey,
      int specLine,
      MaintenancePolicy maintenance,
      Path specFile,
      OnFailure onFailure) {

    GoldTable with(Duration interval, MaintenancePolicy policy) {
      return new GoldTable(
          name,
          description,
          sql,
          className,
          sources,
          refresh,
          slice,
          watermark,
          eventTime,
          window,
          partitionBy,
          interval,
          specKey,
          specLine,
          policy,
          specFile,
          onFailure);
    }

    /** Whether a Java class computes the table rather than a query. */
    public boolean isJava() {
      return !className.isEmpty();
    }

    /** The table's identity: {@code gold.<name>}. */
    public TableRef ref() {
      return TableRef.of(Layer.GOLD, name);
    }

    /** The fully qualified name analysts use, such as {@code gold.trending_now}. */
    public String qualifiedName() {
      return ref().qualifiedName();
    }
  }

  /**
   * The tumbling event-time windows of a streaming gold table, aligned to the epoch: the window of
   * an event starts at its event time rounded down to a multiple of {@code size}. A window closes
   * when the watermark passes its end, whatever the rest of its slice does.
   *
   * @param column the output's TIMESTAMP column holding a row's window start
   * @param size the windows' length; a day is a whole number of them
   */
  public record EventWindow(String column, Duration size) {
    /** The start of the window holding {@code time}. */
    public Instant startOf(Instant time) {
      long size = this.size.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), size) * size);
    }
  }

  /** What a continuous run does when one table's query fails. */
  public enum OnFailure {
    /** The run stops, every query with it, and exits with the failure. */
    STOP,
    /**
     * The query is restarted from its checkpoint after a backoff that doubles with each failure in
     * a row, while the other tables' queries go on.
     */
    RESTART
  }

  /** How a gold table is kept up to date. */
  public enum Refresh {
    /** Recomputed whole on every run. */
    FULL,
    /** Only the slices that new source rows touch are recomputed. */
    INCREMENTAL,
    /**
     * Incremental, continuously, with a watermark: slices older than it are closed, and events that
     * arrive for them are recorded as late and corrected by the next batch run.
     */
    STREAMING
  }
}
