package io.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeCatalog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.Sql;
import io.medallion.core.lake.TableRef;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.CheckpointGuard;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spark.StreamingJobStarter;
import io.medallion.core.spark.StreamingTableJob;
import io.medallion.core.spec.Durations;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.OnFailure;
import io.medallion.core.spec.Pipeline.Refresh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Aggregates silver into gold: one streaming query and one checkpoint per gold table, reading the
 * table's sources as Delta streams (commits that rewrite rows, such as SCD merges, are skipped:
 * they are not new rows) and handing each batch of new rows to a {@link GoldTableRefresher}.
 */
public final class GoldAggregation {
  /**
   * The fault point (with the table's qualified name) inside a merged table's distinct members'
   * state, reached when a batch records a member new to its group: the state is written, the
   * batch's state version not committed, nothing of the batch merged.
   */
  public static final String MEMBER_STATE = "member-state:";

  /**
   * The fault point (with the table's qualified name) between a batch's merge into the aggregates a
   * table keeps and the recomputation of the slices it touched: the aggregates hold the batch, the
   * table does not, the checkpoint has not recorded it.
   */
  public static final String KEPT_MERGED = "kept-merged:";

  private final SparkSession spark;
  private final List<TableRef> readable;
  private final LakeLayout lake;

  private final DeltaWriter writer;

  /**
   * Per gold table rebuilt by {@link #fullRefresh}, the source versions its new checkpoint starts
   * from: what the rebuild read is not read again.
   */
  private final Map<String, Map<String, Long>> startingVersions = new ConcurrentHashMap<>();

  /**
   * @param readable the tables the gold queries may read by name ({@code Pipeline.tables()})
   */
  public GoldAggregation(SparkSession spark, LakeLayout lake, List<TableRef> readable) {
    this.spark = spark;
    this.readable = readable;
    this.lake = lake;
    this.writer = DeltaWriter.standard();
  }

  /** The streaming query's name for a gold table: {@code gold.<table>}. */
  public static String queryName(GoldTable table) {
    return table.qualifiedName();
  }

  /** Where a qualified table such as {@code silver.plays} lives. */
  public String location(String qualified) {
    return lake.location(qualified);
  }

  /**
   * Checks every table's sources and query, then starts one query per table. In a batch run ({@code
   * once}), slices recorded as late are corrected first.
   *
   * @param events where the batches record what they did
   */
  public List<RunningQuery> startAll(List<GoldTable> tables, boolean once, EventSink events) {
    LakeCatalog.register(spark, readable, lake);
    LateSlices.create(spark, lake);
    return new StreamingJobStarter(spark, events, writer.faults())
        .startAll(tables.stream().map(t -> new Job(t, once)).toList(), once);
  }

  /** Keeping one gold table up to date from the changes of its sources. */
  private final class Job implements StreamingTableJob {
    private final GoldTable table;
    private final boolean once;
    // A table the first batch is yet to create gets the policy from the refresher.
    private GoldTableRefresher refresher;
    // How the table is kept: by merging its aggregates, or (absent) by recomputing slices.
    private Optional<IncrementalAggregate> incremental;

    Job(GoldTable table, boolean once) {
      this.table = table;
      this.once = once;
    }

    GoldTableRefresher refresher() {
      if (refresher == null) {
        refresher =
            new GoldTableRefresher(
                table, lake, table.maintenance(), writer, incremental().orElse(null));
      }
      return refresher;
    }

    @Override
    public String name() {
      return queryName(table);
    }

    @Override
    public String checkpoint() {
      return lake.checkpoint(Layer.GOLD, table.name());
    }

    @Override
    public String target() {
      return location(table.qualifiedName());
    }

    @Override
    public MaintenancePolicy maintenance() {
      return table.maintenance();
    }

    @Override
    public Duration triggerInterval() {
      return table.triggerInterval();
    }

    @Override
    public OnFailure onFailure() {
      return table.onFailure();
    }

    @Override
    public void prepare(SparkSession session) {
      check(table);
      incremental();
    }

    private Optional<IncrementalAggregate> incremental() {
      if (incremental == null) {
        incremental = IncrementalAggregate.of(spark, table).plan();
      }
      return incremental;
    }

    @Override
    public void beforeStart(SparkSession session, boolean batchRun) {
      if (batchRun) {
        refresher().correctLateSlices(spark);
      }
    }

    /**
     * A gold table whose checkpoint was lost replays idempotently (each affected slice is
     * recomputed from silver), so only a changed definition or a second process stops it.
     */
    @Override
    public CheckpointGuard.Query definition() {
      return new CheckpointGuard.Query(
          table.qualifiedName(),
          checkpoint(),
          lake.table(Layer.GOLD, table.name()),
          definitionKeys(table, incremental()),
          "");
    }

    private static Map<String, String> definitionKeys(
        GoldTable table, Optional<IncrementalAggregate> merged) {
      Map<String, String> keys = new java.util.TreeMap<>();
      if (merged.isPresent()) {
        // A checkpoint of merged batches has state a checkpoint of recomputed slices lacks.
        keys.put("maintained", merged.get().keepsAggregates() ? "kept aggregates" : "merge");
      }
      keys.put("sources", String.join(",", table.sources()));
      keys.put("refresh", table.refresh().name());
      // A class's name is its definition as far as the engine can tell; its code is not hashed.
      keys.put(
          table.isJava() ? "class" : "sql.sha256",
          table.isJava() ? table.className() : sha256(table.sql()));
      return keys;
    }

    @Override
    public Dataset<Row> source(SparkSession session, boolean checkpointLost) {
      if (incremental().isPresent()) {
        return mergedSource(incremental().get());
      }
      Dataset<Row> changes = null;
      for (String source : table.sources()) {
        // A full table is recomputed whole on any change of a source, including the MERGEs of
        // an SCD dimension (a title renamed or re-genred): its stream re-reads the rows of
        // rewritten files. A sliced table skips such commits: their rows carry no new slice.
        var reader =
            spark
                .readStream()
                .format("delta")
                .option(
                    table.refresh() == Refresh.FULL ? "ignoreChanges" : "skipChangeCommits",
                    "true");
        Long start = startingVersions.getOrDefault(table.qualifiedName(), Map.of()).get(source);
        if (start != null) {
          reader = reader.option("startingVersion", start);
        }
        Dataset<Row> selected = reader.load(location(source)).select(changeColumns());
        changes = changes == null ? selected : changes.unionByName(selected);
      }
      return changes;
    }

    /** What the refresher reads of each source row: its slice and, streaming, its event time. */
    private Column[] changeColumns() {
      Column none = lit(null).cast(DataTypes.TimestampType).as(GoldTableRefresher.EVENT_TIME);
      if (table.refresh() == Refresh.FULL) {
        return new Column[] {lit(null).cast(DataTypes.DateType).as(GoldTableRefresher.SLICE), none};
      }
      return new Column[] {
        expr(Sql.identifier(table.slice())).as(GoldTableRefresher.SLICE),
        table.refresh() == Refresh.STREAMING
            ? expr(Sql.identifier(table.eventTime())).as(GoldTableRefresher.EVENT_TIME)
            : none
      };
    }

    /**
     * The query's source rows, each source read as the rows it gains (rewrites skipped, as for a
     * table of slices), marked by the distinct members' state when the query counts any.
     */
    private Dataset<Row> mergedSource(IncrementalAggregate plan) {
      if (plan.joined()) {
        // Each source's rows apart, in a struct of its own: the batch joins them with the other
        // sources' versions (SourceChanges), not with each other's streams.
        Dataset<Row> all = null;
        for (int i = 0; i < table.sources().size(); i++) {
          Dataset<Row> rows =
              appendedRows(table.sources().get(i))
                  .select(struct(col("*")).as(SourceChanges.rowsOf(i)));
          all = all == null ? rows : all.unionByName(rows, true);
        }
        return all;
      }
      Map<String, Dataset<Row>> streams = new HashMap<>();
      for (String source : table.sources()) {
        streams.put(source, appendedRows(source));
      }
      Dataset<Row> rows = plan.sourceRows(spark, streams);
      return plan.member() == null ? rows : DistinctMembers.mark(table.qualifiedName(), plan, rows);
    }

    /**
     * A source's stream of the rows it gains. Its commits that rewrite rows are skipped, yet still
     * start a batch: the offset moves past them.
     */
    private Dataset<Row> appendedRows(String source) {
      return spark
          .readStream()
          .format("delta")
          .option("skipChangeCommits", "true")
          // A batch then ends only where a version of the source does, so that a rebuild can read
          // each source at the version the merged batches stand at.
          .option("maxFilesPerTrigger", String.valueOf(Integer.MAX_VALUE))
          .load(location(source));
    }

    @Override
    public void writeBatch(Dataset<Row> batch, BatchContext context) {
      if (incremental().isEmpty()) {
        refresher().apply(batch, context.batchId(), once);
        return;
      }
      IncrementalAggregate plan = incremental().get();
      if (plan.joined()) {
        LinkedHashMap<String, String> sources = new LinkedHashMap<>();
        table.sources().forEach(s -> sources.put(s, location(s)));
        Dataset<Row> rows = batch.persist();
        List<Dataset<Row>> cached = new ArrayList<>(List.of(rows));
        try {
          List<IncrementalAggregate.Change> terms =
              SourceChanges.of(
                  spark,
                  plan,
                  table.qualifiedName(),
                  checkpoint(),
                  sources,
                  rows,
                  context.batchId(),
                  cached);
          refresher()
              .mergeAggregates(plan.changedAggregates(spark, terms), plan, context.batchId());
        } finally {
          cached.forEach(Dataset::unpersist);
        }
        return;
      }
      if (!plan.keepsAggregates()) {
        refresher().merge(batch, plan, context.batchId());
        return;
      }
      if (table.refresh() != Refresh.STREAMING) {
        refresher().keep(batch, null, plan, context.batchId(), once);
        return;
      }
      // The rows a streaming table aggregates carry its slice and event time (its analysis
      // checks): the batch's changes, read once with them.
      Dataset<Row> rows = batch.persist();
      try {
        Dataset<Row> changes = rows.select(changeColumns());
        refresher().keep(rows, changes, plan, context.batchId(), once);
      } finally {
        rows.unpersist();
      }
    }
  }

  /**
   * Checks a table's sources and query against the tables of this lake as they are, writing
   * nothing, and returns the schema of the rows its query gives.
   *
   * @throws MedallionException for a missing source; {@link SpecException} with the spec's location
   *     for a query that does not analyse or lacks the slice or event-time column
   */
  public StructType analyse(GoldTable table) {
    LakeCatalog.register(spark, readable, lake);
    check(table);
    return GoldQuery.rows(spark, table).schema();
  }

  /**
   * How a table is kept: empty when by merging each batch's aggregates into it, or into the
   * aggregates it keeps and computes its rows from ({@link IncrementalAggregate}), else why it
   * recomputes the slices (or the whole) each batch touches from its sources.
   */
  public Optional<String> whyRecomputed(GoldTable table) {
    LakeCatalog.register(spark, readable, lake);
    IncrementalAggregate.Analysis analysis = IncrementalAggregate.of(spark, table);
    return analysis.plan().isPresent() ? Optional.empty() : Optional.of(analysis.reason());
  }

  /** How a table is kept, in words: how its batches reach it. */
  public String howKept(GoldTable table) {
    if (table.refresh() == Refresh.FULL) {
      return "recomputed whole when a source changes";
    }
    LakeCatalog.register(spark, readable, lake);
    IncrementalAggregate.Analysis analysis = IncrementalAggregate.of(spark, table);
    String how;
    if (analysis.plan().isEmpty()) {
      how = "recomputes the slices a batch touches (" + analysis.reason() + ")";
    } else {
      how =
          analysis.plan().get().keepsAggregates()
              ? "keeps its aggregates by group, merging each batch, and recomputes from them the"
                  + " slices a batch touches"
              : analysis.plan().get().joined()
                  ? "merges by group the change each batch makes to the join of its sources (a"
                      + " source's rewrites, such as an SCD dimension's, included), deleting the"
                      + " groups left without rows"
                  : "merges each batch by group";
    }
    if (table.refresh() != Refresh.STREAMING) {
      return how;
    }
    String closes =
        table.window() == null
            ? "whole slices"
            : "its " + Durations.format(table.window().size()) + " windows one by one";
    return how
        + "; closes "
        + closes
        + " "
        + Durations.format(table.watermark())
        + " behind the newest event time";
  }

  /**
   * What changed in a gold table's definition (its sources, refresh, SQL) since its checkpoint was
   * made, one line per key; empty when nothing did or there is no checkpoint yet.
   */
  public String definitionChanges(GoldTable table) {
    LakeCatalog.register(spark, readable, lake);
    return CheckpointGuard.definitionChanges(spark, new Job(table, true).definition());
  }

  /**
   * Rebuilds a gold table whole from its sources as they are now, with the schema and partitioning
   * of its current definition, and gives it a new checkpoint that starts from the source versions
   * the rebuild read; its late slices are corrected by the rebuild. Run {@link #startAll} on this
   * instance afterwards to make the checkpoint. Run it while no query aggregates the table.
   */
  public void fullRefresh(GoldTable table) {
    LakeCatalog.register(spark, readable, lake);
    LateSlices.create(spark, lake);
    check(table);
    Job job = new Job(table, true);
    if (job.incremental().isPresent()) {
      // The new checkpoint's first batch reads every source from its first version, through the
      // distinct members' state, and replaces the table.
      deleteCheckpoint(job);
      return;
    }
    Map<String, Long> versions = new HashMap<>();
    for (String source : table.sources()) {
      versions.put(
          source,
          DeltaTable.forPath(spark, location(source))
              .history(1)
              .select("version")
              .first()
              .getLong(0));
    }
    deleteCheckpoint(job);
    new GoldTableRefresher(table, lake, table.maintenance(), writer).recomputeAll(spark);
    LateSlices.corrected(
        spark, lake, table.qualifiedName(), LateSlices.pending(spark, lake, table.qualifiedName()));
    startingVersions.put(table.qualifiedName(), versions);
  }

  private void deleteCheckpoint(Job job) {
    Path checkpoint = new Path(job.checkpoint());
    try {
      checkpoint.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(checkpoint, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the checkpoint " + checkpoint, e);
    }
  }

  /**
   * The gold tables of {@code all} that read one of {@code tables}, directly or through other gold
   * tables, in the order of {@code all}; {@code tables} themselves are not included.
   */
  public static List<GoldTable> readers(List<GoldTable> tables, List<GoldTable> all) {
    Set<String> changed = new HashSet<>();
    tables.forEach(t -> changed.add(t.qualifiedName()));
    List<GoldTable> readers = new ArrayList<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (GoldTable t : all) {
        if (!changed.contains(t.qualifiedName())
            && t.sources().stream().anyMatch(changed::contains)) {
          changed.add(t.qualifiedName());
          grew = true;
        }
      }
    }
    for (GoldTable t : all) {
      if (changed.contains(t.qualifiedName())
          && tables.stream().noneMatch(s -> s.qualifiedName().equals(t.qualifiedName()))) {
        readers.add(t);
      }
    }
    return readers;
  }

  /**
   * Rebuilds a gold table, or the slices of it between two dates, from silver as it is now:
   * afterwards those slices equal a recomputation. Safe beside the running aggregation (a slice
   * recomputed from silver is the same whoever writes it; conflicts are retried).
   *
   * @param from the first slice to rebuild; empty with {@code to} for the whole table
   * @param to the last slice to rebuild, inclusive
   * @return the slices rebuilt, or empty for the whole table
   */
  public List<LocalDate> backfill(
      GoldTable table, Optional<LocalDate> from, Optional<LocalDate> to) {
    LakeCatalog.register(spark, readable, lake);
    check(table);
    Job job = new Job(table, true);
    GoldTableRefresher refresher = job.refresher();
    if (job.incremental().isPresent()) {
      List<LocalDate> slices =
          from.isEmpty() ? List.of() : from.get().datesUntil(to.orElseThrow().plusDays(1)).toList();
      rebuildMerged(table, job, refresher, slices);
      if (job.incremental().get().keepsAggregates()) {
        // The table's rows follow from the rebuilt aggregates.
        if (slices.isEmpty()) {
          refresher.recomputeAll(spark);
        } else {
          refresher.recompute(spark, slices);
        }
      }
      return slices;
    }
    if (table.refresh() == Refresh.FULL || from.isEmpty()) {
      refresher.recomputeAll(spark);
      return List.of();
    }
    List<LocalDate> slices = from.get().datesUntil(to.orElseThrow().plusDays(1)).toList();
    refresher.recompute(spark, slices);
    return slices;
  }

  /**
   * Rebuilds slices of a table kept by merging, or of the aggregates it keeps (all of it for none),
   * from its sources as the batches merged into it have read them ({@link MergedBatches}), so that
   * the batches after merge exactly the rest. A batch that merges while the rebuild computes is
   * caught (the table's transaction id of the stream moved) and the rebuild made again from where
   * that batch stands.
   */
  private void rebuildMerged(
      GoldTable table, Job job, GoldTableRefresher refresher, List<LocalDate> slices) {
    String path = refresher.mergeTarget();
    Map<String, String> sources = new HashMap<>();
    table.sources().forEach(s -> sources.put(s, location(s)));
    for (int attempt = 1; ; attempt++) {
      Optional<MergedBatches.Position> merged =
          MergedBatches.last(spark, table.qualifiedName(), path, job.checkpoint(), sources);
      Map<String, Dataset<Row>> reads = new HashMap<>();
      for (var source : sources.entrySet()) {
        Dataset<Row> now = spark.read().format("delta").load(source.getValue());
        Long version = merged.map(m -> m.versions().get(source.getKey())).orElse(null);
        reads.put(
            source.getKey(),
            merged.isEmpty()
                ? now
                : version == null || version < 0
                    ? now.where("false")
                    : spark
                        .read()
                        .format("delta")
                        .option("versionAsOf", version)
                        .load(source.getValue()));
      }
      String mark = "rebuild " + java.util.UUID.randomUUID();
      refresher.replace(job.incremental().get().rows(spark, reads), path, slices, mark);
      if (merged.isEmpty()) {
        // No batch has merged yet: the checkpoint's first batch replaces the table.
        return;
      }
      long written =
          DeltaTable.forPath(spark, path)
              .history(100)
              .where(col("userMetadata").equalTo(mark))
              .select("version")
              .first()
              .getLong(0);
      Optional<Long> before =
          MergedBatches.transaction(spark, path, merged.get().appId(), written - 1);
      if (before.equals(Optional.of(merged.get().batch()))) {
        return;
      }
      if (attempt == 5) {
        throw new MedallionException(
            "Batches kept merging into "
                + table.qualifiedName()
                + " while it was rebuilt, five times over.",
            "Stop the aggregation (or the pipeline) while the table is rebuilt.");
      }
    }
  }

  /** Recomputes a table whole from its sources, as it is defined; for checks and backfills. */
  public Dataset<Row> recomputation(GoldTable table) {
    LakeCatalog.register(spark, readable, lake);
    return GoldQuery.rows(spark, table);
  }

  private void check(GoldTable table) {
    for (String source : table.sources()) {
      if (!DeltaTable.isDeltaTable(spark, location(source))) {
        throw new MedallionException(
            table.qualifiedName()
                + " reads "
                + source
                + ", which does not exist yet at "
                + location(source)
                + ".",
            "Refine silver first: ./lakehouse refine --once (or ./lakehouse run --once, which runs every layer).");
      }
    }
    StructType output;
    try {
      output = GoldQuery.rows(spark, table).schema();
    } catch (MedallionException e) {
      throw e;
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but not declared
      String m = String.valueOf(e.getMessage()).strip();
      throw new SpecException(
          table.specFile().toString(),
          table.specLine(),
          table.specKey(),
          (table.isJava() ? "the class of " : "the query of ")
              + table.qualifiedName()
              + " does not run: "
              + m.lines().findFirst().orElse(m),
          "Use the columns of its sources ("
              + String.join(", ", table.sources())
              + "), each named layer.table as analysts name them.");
    }
    List<String> columns = Arrays.asList(output.fieldNames());
    if (table.window() != null) {
      String column = table.window().column();
      if (!columns.contains(column)
          || !output.apply(column).dataType().equals(DataTypes.TimestampType)) {
        throw new SpecException(
            table.specFile().toString(),
            0,
            "gold.tables." + table.name() + ".window.column",
            "window column '"
                + column
                + "' is not a TIMESTAMP column of "
                + table.qualifiedName()
                + "'s output",
            "Name the output column holding each row's window start, such as"
                + " date_trunc('HOUR', event_time) AS window_start for 1h windows.");
      }
    }
    if (table.refresh() != Refresh.FULL) {
      require(table, columns, table.slice(), "its output");
      for (String source : table.sources()) {
        List<String> sourceColumns =
            Arrays.asList(spark.read().format("delta").load(location(source)).columns());
        // A table kept by merging each batch by group learns the slices a batch touched from the
        // batch's own aggregates: its sources need no slice column (a streaming table, which
        // closes slices by the source rows' event time, still does; its analysis checks).
        if (!sourceColumns.contains(table.slice()) && !keptByMerge(table)) {
          require(table, sourceColumns, table.slice(), source);
        }
        if (table.refresh() == Refresh.STREAMING) {
          require(table, sourceColumns, table.eventTime(), source);
        }
      }
    }
  }

  private boolean keptByMerge(GoldTable table) {
    return table.refresh() == Refresh.INCREMENTAL
        && IncrementalAggregate.of(spark, table).plan().isPresent();
  }

  private void require(GoldTable table, List<String> columns, String column, String where) {
    if (!columns.contains(column)) {
      throw new SpecException(
          table.specFile().toString(),
          0,
          "gold.tables." + table.name(),
          "column '" + column + "' of " + table.qualifiedName() + " is not in " + where,
          "Every source and the output need the slice column (and, for streaming, the event"
              + " time), except for an incremental table that is one aggregation grouped by its"
              + " slice, which needs it only in the output.");
    }
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
