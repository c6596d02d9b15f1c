package io.medallion.jobs.api;

import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.core.spec.PipelineSpec;
import io.medallion.core.spec.PipelineSpec.BronzeOptions;
import io.medallion.core.spec.PipelineSpec.BronzeSpec;
import io.medallion.core.spec.PipelineSpec.BronzeTableSpec;
import io.medallion.core.spec.PipelineSpec.ExpectationSpec;
import io.medallion.core.spec.PipelineSpec.GoldOptions;
import io.medallion.core.spec.PipelineSpec.GoldSpec;
import io.medallion.core.spec.PipelineSpec.GoldTableSpec;
import io.medallion.core.spec.PipelineSpec.MaintenanceOptions;
import io.medallion.core.spec.PipelineSpec.MaintenanceSpec;
import io.medallion.core.spec.PipelineSpec.PayloadSpec;
import io.medallion.core.spec.PipelineSpec.SilverOptions;
import io.medallion.core.spec.PipelineSpec.SilverSpec;
import io.medallion.core.spec.PipelineSpec.SilverTableSpec;
import io.medallion.core.spec.PipelineSpec.SourceSpec;
import io.medallion.core.spec.PipelineSpec.TransformSpec;
import io.medallion.core.spec.PipelineSpec.WindowSpec;
import io.medallion.core.spec.PipelineSpec.WriteSpec;
import io.medallion.core.spec.SpecLocations;
import io.medallion.gold.GoldTransform;
import io.medallion.silver.SilverTransform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Defines a pipeline in Java: the same pipelines as the YAML spec, checked by the same validation,
 * with errors that name the builder call to fix ({@code OrdersPipeline.java:42
 * [silver.tables.orders.write.keys]: ...}).
 *
 * <p>Each method mirrors a spec key: {@code source("plays", s -> s.topic("replay-plays"))} is
 * {@code sources: {plays: {topic: replay-plays}}}. See docs/java-api.md for the whole mapping.
 *
 * <pre>{@code
 * Pipeline pipeline =
 *     PipelineBuilder.pipeline("orders")
 *         .source("orders", s -> s.topic("orders").partitions(2))
 *         .bronze("orders", b -> b.source("orders"))
 *         .silver("orders", t -> t.source("orders")
 *             .field("order_id", "string").field("amount", "decimal(10,2)").required("order_id")
 *             .transform(AddOrderDate.class)
 *             .expect("amount_positive", "amount > 0", "quarantine")
 *             .append("order_id"))
 *         .gold("daily_revenue", g -> g.sql("SELECT ... FROM silver.orders ...").full())
 *         .build();
 * }</pre>
 */
public final class PipelineBuilder {
  private final String name;
  private final Locations locations = new Locations();
  private String description;
  private Path sqlFolder = Path.of(".");
  private final Map<String, SourceSpec> sources = new LinkedHashMap<>();
  private final Map<String, BronzeTableSpec> bronze = new LinkedHashMap<>();
  private final Map<String, SilverTableSpec> silver = new LinkedHashMap<>();
  private final Map<String, GoldTableSpec> gold = new LinkedHashMap<>();
  private BronzeOptions bronzeDefaults;
  private SilverOptions silverDefaults;
  private GoldOptions goldDefaults;
  private MaintenanceSpec maintenance;

  private PipelineBuilder(String name) {
    this.name = name;
    locations.set("name");
  }

  /** Starts a pipeline named {@code name}, a lower-case identifier. */
  public static PipelineBuilder pipeline(String name) {
    return new PipelineBuilder(name);
  }

  /** What the pipeline is for. */
  public PipelineBuilder description(String text) {
    locations.set("description");
    this.description = text;
    return this;
  }

  /** Where {@code sqlFile} names are resolved (default: the working directory). */
  public PipelineBuilder sqlFolder(Path folder) {
    this.sqlFolder = folder;
    return this;
  }

  /** A Kafka source, as under {@code sources.<name>}. */
  public PipelineBuilder source(String sourceName, Consumer<Source> definition) {
    String key = "sources." + sourceName;
    locations.set(key);
    Source s = new Source(key);
    definition.accept(s);
    sources.put(sourceName, new SourceSpec(s.topic, s.partitions, s.format, s.key, s.description));
    return this;
  }

  /** A bronze table, as under {@code bronze.tables.<name>}. */
  public PipelineBuilder bronze(String tableName, Consumer<Bronze> definition) {
    String key = "bronze.tables." + tableName;
    locations.set(key);
    Bronze b = new Bronze(key);
    definition.accept(b);
    bronze.put(
        tableName,
        new BronzeTableSpec(
            b.source,
            b.description,
            b.startingOffsets,
            b.maxOffsetsPerTrigger,
            b.failOnDataLoss,
            b.triggerInterval,
            b.onFailure));
    return this;
  }

  /** A silver table, as under {@code silver.tables.<name>}. */
  public PipelineBuilder silver(String tableName, Consumer<Silver> definition) {
    String key = "silver.tables." + tableName;
    locations.set(key);
    Silver t = new Silver(key);
    definition.accept(t);
    silver.put(tableName, t.spec());
    return this;
  }

  /** A gold table, as under {@code gold.tables.<name>}. */
  public PipelineBuilder gold(String tableName, Consumer<Gold> definition) {
    String key = "gold.tables." + tableName;
    locations.set(key);
    Gold g = new Gold(key);
    definition.accept(g);
    gold.put(tableName, g.spec());
    return this;
  }

  /**
   * Options every bronze table inherits unless it sets its own, as under {@code bronze.defaults}.
   */
  public PipelineBuilder bronzeDefaults(Consumer<BronzeDefaults> definition) {
    locations.set("bronze.defaults");
    BronzeDefaults d = new BronzeDefaults();
    definition.accept(d);
    bronzeDefaults = d.options();
    return this;
  }

  /**
   * Options every silver table inherits unless it sets its own, as under {@code silver.defaults}.
   */
  public PipelineBuilder silverDefaults(Consumer<SilverDefaults> definition) {
    locations.set("silver.defaults");
    SilverDefaults d = new SilverDefaults();
    definition.accept(d);
    silverDefaults = d.options();
    return this;
  }

  /** Options every gold table inherits unless it sets its own, as under {@code gold.defaults}. */
  public PipelineBuilder goldDefaults(Consumer<GoldDefaults> definition) {
    locations.set("gold.defaults");
    GoldDefaults d = new GoldDefaults();
    definition.accept(d);
    goldDefaults = d.options();
    return this;
  }

  /** Table maintenance policies, as under {@code maintenance}. */
  public PipelineBuilder maintenance(Consumer<Maintenance> definition) {
    locations.set("maintenance");
    Maintenance m = new Maintenance();
    definition.accept(m);
    maintenance = m.spec();
    return this;
  }

  /**
   * Validates the definition and returns the pipeline the engines run.
   *
   * @throws io.medallion.core.error.SpecException naming the builder call of the first problem
   */
  public Pipeline build() {
    PipelineSpec spec =
        new PipelineSpec(
            name,
            description,
            sources.isEmpty() ? null : sources,
            bronze.isEmpty() && bronzeDefaults == null
                ? null
                : new BronzeSpec(bronzeDefaults, bronze),
            silver.isEmpty() && silverDefaults == null
                ? null
                : new SilverSpec(silverDefaults, silver),
            gold.isEmpty() && goldDefaults == null ? null : new GoldSpec(goldDefaults, gold),
            maintenance);
    return PipelineLoader.validate(spec, Path.of(locations.file("name")), sqlFolder, locations);
  }

  /** Options of a Kafka source. */
  public final class Source {
    private final String key;
    private String topic;
    private Integer partitions;
    private String format;
    private String keyField;
    private String description;

    private Source(String key) {
      this.key = key;
    }

    /** The Kafka topic. */
    public Source topic(String value) {
      locations.set(key + ".topic");
      topic = value;
      return this;
    }

    /** Partitions to create the topic with locally (default 1). */
    public Source partitions(int value) {
      locations.set(key + ".partitions");
      partitions = value;
      return this;
    }

    /** The payload format; only {@code json} today. */
    public Source format(String value) {
      locations.set(key + ".format");
      format = value;
      return this;
    }

    /** The payload field the producer keys records by, for documentation. */
    public Source key(String field) {
      locations.set(key + ".key");
      keyField = field;
      return this;
    }

    /** What the records are. */
    public Source description(String value) {
      description = value;
      return this;
    }
  }

  /**
   * The options a bronze table may inherit from {@code bronze.defaults}.
   *
   * @param <S> the concrete settings, returned by each setter
   */
  public abstract class BronzeSettings<S extends BronzeSettings<S>> {
    final String key;
    String startingOffsets;
    Long maxOffsetsPerTrigger;
    Boolean failOnDataLoss;
    String triggerInterval;
    String onFailure;

    BronzeSettings(String key) {
      this.key = key;
    }

    abstract S self();

    /** Where a new query starts: {@code earliest}, {@code latest} or an ISO-8601 instant. */
    public S startingOffsets(String value) {
      locations.set(key + ".starting_offsets");
      startingOffsets = value;
      return self();
    }

    /** The most Kafka records one micro-batch reads. */
    public S maxOffsetsPerTrigger(long value) {
      locations.set(key + ".max_offsets_per_trigger");
      maxOffsetsPerTrigger = value;
      return self();
    }

    /** Whether to stop when Kafka no longer has offsets the query has not read yet. */
    public S failOnDataLoss(boolean value) {
      locations.set(key + ".fail_on_data_loss");
      failOnDataLoss = value;
      return self();
    }

    /** The continuous trigger's interval, such as {@code 5s}. */
    public S triggerInterval(String value) {
      locations.set(key + ".trigger_interval");
      triggerInterval = value;
      return self();
    }

    /** {@code stop} or {@code restart} when a query fails in a continuous run. */
    public S onFailure(String value) {
      locations.set(key + ".on_failure");
      onFailure = value;
      return self();
    }
  }

  /** The bronze layer's defaults. */
  public final class BronzeDefaults extends BronzeSettings<BronzeDefaults> {
    private BronzeDefaults() {
      super("bronze.defaults");
    }

    @Override
    BronzeDefaults self() {
      return this;
    }

    private BronzeOptions options() {
      return new BronzeOptions(
          startingOffsets, maxOffsetsPerTrigger, failOnDataLoss, triggerInterval, onFailure);
    }
  }

  /** Options of a bronze table. */
  public final class Bronze extends BronzeSettings<Bronze> {
    private String source;
    private String description;

    private Bronze(String key) {
      super(key);
    }

    @Override
    Bronze self() {
      return this;
    }

    /** The name of the source it lands. */
    public Bronze source(String value) {
      locations.set(key + ".source");
      source = value;
      return this;
    }

    /** What the table holds. */
    public Bronze description(String value) {
      description = value;
      return this;
    }
  }

  /**
   * The options a silver table may inherit from {@code silver.defaults}.
   *
   * @param <S> the concrete settings, returned by each setter
   */
  public abstract class SilverSettings<S extends SilverSettings<S>> {
    final String key;
    String triggerInterval;
    Integer maxFilesPerTrigger;
    String onFailure;

    SilverSettings(String key) {
      this.key = key;
    }

    abstract S self();

    /** The continuous trigger's interval, such as {@code 5s}. */
    public S triggerInterval(String value) {
      locations.set(key + ".trigger_interval");
      triggerInterval = value;
      return self();
    }

    /** The most bronze files one micro-batch reads. */
    public S maxFilesPerTrigger(int value) {
      locations.set(key + ".max_files_per_trigger");
      maxFilesPerTrigger = value;
      return self();
    }

    /** {@code stop} or {@code restart} when a query fails in a continuous run. */
    public S onFailure(String value) {
      locations.set(key + ".on_failure");
      onFailure = value;
      return self();
    }
  }

  /** The silver layer's defaults. */
  public final class SilverDefaults extends SilverSettings<SilverDefaults> {
    private SilverDefaults() {
      super("silver.defaults");
    }

    @Override
    SilverDefaults self() {
      return this;
    }

    private SilverOptions options() {
      return new SilverOptions(triggerInterval, maxFilesPerTrigger, onFailure);
    }
  }

  /** Definition of a silver table. */
  public final class Silver extends SilverSettings<Silver> {
    private String source;
    private String description;
    private String format;
    private LinkedHashMap<String, String> schema;
    private List<String> required;
    private TransformSpec transform;
    private final List<ExpectationSpec> expectations = new ArrayList<>();
    private String mode;
    private List<String> keys;
    private String sequenceBy;
    private String effectiveAt;
    private String deleteWhen;
    private List<String> partitionBy;
    private String eventTime;
    private String dedupeWithin;

    private Silver(String key) {
      super(key);
    }

    @Override
    Silver self() {
      return this;
    }

    /** The bronze table it refines. */
    public Silver source(String bronzeTable) {
      locations.set(key + ".source");
      source = bronzeTable;
      return this;
    }

    /** What the table holds. */
    public Silver description(String value) {
      description = value;
      return this;
    }

    /** The payload format; {@code json} today. */
    public Silver format(String value) {
      locations.set(key + ".payload.format");
      format = value;
      return this;
    }

    /** A payload field and its Spark SQL type, in column order. */
    public Silver field(String fieldName, String type) {
      locations.set(key + ".payload.schema");
      locations.set(key + ".payload.schema." + fieldName);
      if (schema == null) {
        schema = new LinkedHashMap<>();
      }
      schema.put(fieldName, type);
      return this;
    }

    /** Fields that must be present and not null. */
    public Silver required(String... fields) {
      locations.set(key + ".payload.required");
      required = List.of(fields);
      return this;
    }

    /** A SQL transformation over the view {@code input}. */
    public Silver transformSql(String sql) {
      locations.set(key + ".transform.sql");
      transform = new TransformSpec(sql, null, null);
      return this;
    }

    /** A transformation in Java. */
    public Silver transform(Class<? extends SilverTransform> type) {
      locations.set(key + ".transform.class");
      transform = new TransformSpec(null, null, type.getName());
      return this;
    }

    /** A row rule: a SQL condition every row must satisfy, and what happens to one that fails. */
    public Silver expect(String ruleName, String rule, String action) {
      locations.set(key + ".expectations[" + expectations.size() + "]");
      expectations.add(new ExpectationSpec(ruleName, rule, null, action, null));
      return this;
    }

    /** A table rule: no two different records of one batch share these columns' values. */
    public Silver unique(String ruleName, List<String> columns, String action) {
      locations.set(key + ".expectations[" + expectations.size() + "]");
      expectations.add(new ExpectationSpec(ruleName, null, columns, action, null));
      return this;
    }

    /** Append rows whose key is new; the rest are duplicates. */
    public Silver append(String... keyColumns) {
      return write("append", List.of(keyColumns), null, null);
    }

    /** Keep the current row per key; the newest {@code sequenceBy} wins (SCD type 1). */
    public Silver scd1(List<String> keyColumns, String sequenceColumn) {
      return write("scd1", keyColumns, sequenceColumn, null);
    }

    /** Keep every version per key, valid from {@code effectiveAtColumn} (SCD type 2). */
    public Silver scd2(List<String> keyColumns, String sequenceColumn, String effectiveAtColumn) {
      return write("scd2", keyColumns, sequenceColumn, effectiveAtColumn);
    }

    private Silver write(String writeMode, List<String> k, String sequence, String effective) {
      locations.set(key + ".write");
      mode = writeMode;
      keys = k;
      sequenceBy = sequence;
      effectiveAt = effective;
      return this;
    }

    /** A SQL condition that marks a change record as a delete (SCD). */
    public Silver deleteWhen(String condition) {
      locations.set(key + ".write.delete_when");
      deleteWhen = condition;
      return this;
    }

    /** Partition columns of the table. */
    public Silver partitionBy(String... columns) {
      locations.set(key + ".write.partition_by");
      partitionBy = List.of(columns);
      return this;
    }

    /**
     * Holds the keys of an append table in the query's state for {@code horizon} (such as {@code
     * 7d}) after their event time, the payload's timestamp field {@code eventTimeField}, instead of
     * checking each batch against the whole table.
     */
    public Silver dedupeWithin(String eventTimeField, String horizon) {
      eventTime(eventTimeField);
      locations.set(key + ".write.dedupe_within");
      dedupeWithin = horizon;
      return this;
    }

    /** Like {@link #dedupeWithin(String, String)} with the default horizon (7 days). */
    public Silver eventTime(String eventTimeField) {
      locations.set(key + ".write.event_time");
      eventTime = eventTimeField;
      return this;
    }

    private SilverTableSpec spec() {
      PayloadSpec payload =
          format == null && schema == null && required == null
              ? null
              : new PayloadSpec(format, schema, required);
      WriteSpec write =
          mode == null && partitionBy == null && deleteWhen == null && eventTime == null
              ? null
              : new WriteSpec(
                  mode,
                  keys,
                  sequenceBy,
                  effectiveAt,
                  deleteWhen,
                  partitionBy,
                  eventTime,
                  dedupeWithin);
      return new SilverTableSpec(
          source,
          description,
          payload,
          transform,
          expectations.isEmpty() ? null : List.copyOf(expectations),
          write,
          triggerInterval,
          maxFilesPerTrigger,
          onFailure);
    }
  }

  /**
   * The options a gold table may inherit from {@code gold.defaults}.
   *
   * @param <S> the concrete settings, returned by each setter
   */
  public abstract class GoldSettings<S extends GoldSettings<S>> {
    final String key;
    String triggerInterval;
    String onFailure;

    GoldSettings(String key) {
      this.key = key;
    }

    abstract S self();

    /** The continuous trigger's interval, such as {@code 10s}. */
    public S triggerInterval(String value) {
      locations.set(key + ".trigger_interval");
      triggerInterval = value;
      return self();
    }

    /** {@code stop} or {@code restart} when a query fails in a continuous run. */
    public S onFailure(String value) {
      locations.set(key + ".on_failure");
      onFailure = value;
      return self();
    }
  }

  /** The gold layer's defaults. */
  public final class GoldDefaults extends GoldSettings<GoldDefaults> {
    private GoldDefaults() {
      super("gold.defaults");
    }

    @Override
    GoldDefaults self() {
      return this;
    }

    private GoldOptions options() {
      return new GoldOptions(triggerInterval, onFailure);
    }
  }

  /** Definition of a gold table. */
  public final class Gold extends GoldSettings<Gold> {
    private String description;
    private String sql;
    private String sqlFile;
    private String className;
    private List<String> sources;
    private String refresh;
    private String slice;
    private String watermark;
    private String eventTime;
    private WindowSpec window;
    private List<String> partitionBy;

    private Gold(String key) {
      super(key);
    }

    @Override
    Gold self() {
      return this;
    }

    /** What the table means, for analysts. */
    public Gold description(String value) {
      description = value;
      return this;
    }

    /** Its query over silver (and gold) tables, by qualified name. */
    public Gold sql(String query) {
      locations.set(key + ".sql");
      sql = query;
      return this;
    }

    /** A file holding its query, relative to the builder's SQL folder. */
    public Gold sqlFile(String file) {
      locations.set(key + ".sql_file");
      sqlFile = file;
      return this;
    }

    /** Computed in Java instead of a query, from the tables named (by qualified name). */
    public Gold compute(Class<? extends GoldTransform> type, String... readsTables) {
      locations.set(key + ".class");
      className = type.getName();
      locations.set(key + ".sources");
      sources = List.of(readsTables);
      return this;
    }

    /** Recomputed whole on every run. */
    public Gold full() {
      return refresh("full", null, null);
    }

    /** Only the slices (values of the DATE column {@code sliceColumn}) new rows touch. */
    public Gold incremental(String sliceColumn) {
      return refresh("incremental", sliceColumn, null);
    }

    /** Incremental, continuously, with a watermark such as {@code 10m}. */
    public Gold streaming(String sliceColumn, String lateness) {
      return refresh("streaming", sliceColumn, lateness);
    }

    private Gold refresh(String how, String sliceColumn, String lateness) {
      locations.set(key + ".refresh");
      refresh = how;
      slice = sliceColumn;
      if (lateness != null) {
        locations.set(key + ".watermark");
      }
      watermark = lateness;
      return this;
    }

    /** Streaming: the sources' event-time column (default {@code event_time}). */
    public Gold eventTime(String column) {
      locations.set(key + ".event_time");
      eventTime = column;
      return this;
    }

    /**
     * Streaming: tumbling event-time windows of {@code size} (such as {@code 1h}) whose start is
     * the output column {@code column}; each closes on its own as the watermark passes its end.
     */
    public Gold window(String column, String size) {
      locations.set(key + ".window");
      window = new WindowSpec(column, size);
      return this;
    }

    /** Partition columns. */
    public Gold partitionBy(String... columns) {
      locations.set(key + ".partition_by");
      partitionBy = List.of(columns);
      return this;
    }

    private GoldTableSpec spec() {
      return new GoldTableSpec(
          description,
          sql,
          sqlFile,
          className,
          sources,
          refresh,
          slice,
          watermark,
          eventTime,
          window,
          partitionBy,
          triggerInterval,
          onFailure);
    }
  }

  /** Maintenance policies: defaults, then per layer, then per table; the most specific wins. */
  public final class Maintenance {
    private MaintenanceOptions defaults;
    private MaintenanceOptions bronze;
    private MaintenanceOptions silver;
    private MaintenanceOptions gold;
    private final Map<String, MaintenanceOptions> tables = new LinkedHashMap<>();

    private Maintenance() {}

    /** Every table's policy. */
    public Maintenance defaults(Consumer<MaintenancePolicy> definition) {
      defaults = policy("maintenance.defaults", definition);
      return this;
    }

    /** Bronze tables' policy. */
    public Maintenance bronze(Consumer<MaintenancePolicy> definition) {
      bronze = policy("maintenance.bronze", definition);
      return this;
    }

    /** Silver tables' policy, the quarantine included. */
    public Maintenance silver(Consumer<MaintenancePolicy> definition) {
      silver = policy("maintenance.silver", definition);
      return this;
    }

    /** Gold tables' policy. */
    public Maintenance gold(Consumer<MaintenancePolicy> definition) {
      gold = policy("maintenance.gold", definition);
      return this;
    }

    /** One table's policy, by qualified name such as {@code silver.plays}. */
    public Maintenance table(String qualifiedName, Consumer<MaintenancePolicy> definition) {
      tables.put(qualifiedName, policy("maintenance.tables." + qualifiedName, definition));
      return this;
    }

    private MaintenanceOptions policy(String key, Consumer<MaintenancePolicy> definition) {
      locations.set(key);
      MaintenancePolicy p = new MaintenancePolicy(key);
      definition.accept(p);
      return new MaintenanceOptions(p.targetFileSize, p.zorderBy, p.vacuumRetention, p.autoCompact);
    }

    private MaintenanceSpec spec() {
      return new MaintenanceSpec(defaults, bronze, silver, gold, tables.isEmpty() ? null : tables);
    }
  }

  /** One maintenance policy; what it leaves unset comes from the less specific level. */
  public final class MaintenancePolicy {
    private final String key;
    private String targetFileSize;
    private List<String> zorderBy;
    private String vacuumRetention;
    private Boolean autoCompact;

    private MaintenancePolicy(String key) {
      this.key = key;
    }

    /** The size OPTIMIZE compacts files towards, such as {@code 128MB}. */
    public MaintenancePolicy targetFileSize(String value) {
      locations.set(key + ".target_file_size");
      targetFileSize = value;
      return this;
    }

    /** Columns OPTIMIZE clusters the files by (Z-order). */
    public MaintenancePolicy zorderBy(String... columns) {
      locations.set(key + ".zorder_by");
      zorderBy = List.of(columns);
      return this;
    }

    /** How long files no longer used are kept before VACUUM deletes them, at least {@code 168h}. */
    public MaintenancePolicy vacuumRetention(String value) {
      locations.set(key + ".vacuum_retention");
      vacuumRetention = value;
      return this;
    }

    /** Whether the writing job compacts small files right after a commit (on by default). */
    public MaintenancePolicy autoCompact(boolean value) {
      locations.set(key + ".auto_compact");
      autoCompact = value;
      return this;
    }
  }

  /** The builder call that set each key: the first frame outside this builder. */
  private static final class Locations implements SpecLocations {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private final Map<String, StackWalker.StackFrame> frames = new HashMap<>();

    void set(String key) {
      WALKER
          .walk(s -> s.filter(f -> !isBuilder(f.getClassName())).findFirst())
          .ifPresent(frame -> frames.put(key, frame));
    }

    private static boolean isBuilder(String className) {
      String builder = PipelineBuilder.class.getName();
      return className.equals(builder) || className.startsWith(builder + "$");
    }

    private StackWalker.StackFrame frameOf(String path) {
      String p = path;
      while (!p.isEmpty()) {
        StackWalker.StackFrame frame = frames.get(p);
        if (frame != null) {
          return frame;
        }
        p = SpecLocations.parentOf(p);
      }
      return frames.get("name");
    }

    @Override
    public String file(String path) {
      StackWalker.StackFrame frame = frameOf(path);
      return frame == null || frame.getFileName() == null
          ? "pipeline builder"
          : frame.getFileName();
    }

    @Override
    public int lineOf(String path) {
      StackWalker.StackFrame frame = frameOf(path);
      return frame == null ? 0 : Math.max(frame.getLineNumber(), 0);
    }
  }
}
