package io.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.Sql;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.Refresh;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Keeps one gold table equal to its query over the current silver tables, by recomputing it: whole
 * ({@code full}), or only the slices (dates) that a batch of new source rows touches ({@code
 * incremental}, {@code streaming}), replacing exactly those slices with Delta's {@code
 * replaceWhere}.
 *
 * <p>Idempotent: a recompute reads the sources as they are and overwrites its slices, so replaying
 * a batch writes the same rows again. A streaming table also keeps a watermark (the newest event
 * time seen minus the allowed lateness) in its checkpoint's {@link WatermarkLog}, so that it
 * survives a restart: a slice older than the watermark's date is closed or, for a table of
 * event-time windows, each window that ended by the watermark, and rows arriving for it are
 * recorded in {@link LateSlices} (per slice) instead of reopening it.
 */
final class GoldTableRefresher {
  /** Column names of the change stream the refresher reads. */
  static final String SLICE = "__slice";

  static final String EVENT_TIME = "__event_time";

  /** The folder, in a table's checkpoint, of the aggregates a table computed from them keeps. */
  static final String KEPT_FOLDER = "medallion-aggregates";

  private static final String TXN_APP_ID = "spark.databricks.delta.write.txnAppId";
  private static final String TXN_VERSION = "spark.databricks.delta.write.txnVersion";

  private final GoldTable table;
  private final LakeLayout lake;
  private final String path;
  private final MaintenancePolicy policy;
  private final DeltaWriter delta;
  private final WatermarkLog watermarks;
  // Set for a table computed from aggregates it keeps apart: slices are recomputed from those.
  private final IncrementalAggregate kept;
  private final String keptPath;

  /**
   * @param policy the table's maintenance policy, given to the table when this creates it; null
   *     leaves a new table with the session's defaults
   * @param delta how the refresher's writes are made idempotent and retried
   */
  GoldTableRefresher(
      GoldTable table, LakeLayout lake, MaintenancePolicy policy, DeltaWriter delta) {
    this(table, lake, policy, delta, null);
  }

  /**
   * @param kept the table's aggregation when it {@link IncrementalAggregate#keepsAggregates}: its
   *     slices are then recomputed from the aggregates kept in its checkpoint; else null
   */
  GoldTableRefresher(
      GoldTable table,
      LakeLayout lake,
      MaintenancePolicy policy,
      DeltaWriter delta,
      IncrementalAggregate kept) {
    this.table = table;
    this.lake = lake;
    this.path = lake.table(Layer.GOLD, table.name());
    this.policy = policy;
    this.delta = delta;
    this.watermarks = new WatermarkLog(lake.checkpoint(Layer.GOLD, table.name()));
    this.kept = kept != null && kept.keepsAggregates() ? kept : null;
    this.keptPath = keptAggregates(lake, table);
  }

  /**
   * Where a table that {@link IncrementalAggregate#keepsAggregates} keeps them: a Delta table in
   * its query's checkpoint, partitioned by the slice, so that it goes with the checkpoint's
   * offsets.
   */
  static String keptAggregates(LakeLayout lake, GoldTable table) {
    return new org.apache.hadoop.fs.Path(lake.checkpoint(Layer.GOLD, table.name()), KEPT_FOLDER)
        .toString();
  }

  /** Where a table computed from its aggregates writes them, or the table itself. */
  String mergeTarget() {
    return kept == null ? path : keptPath;
  }

  /**
   * The table's rows as its definition computes them, from the kept aggregates if it has any: only
   * those of the given slices when the slices' rows follow from them alone (none: all of them).
   */
  private Dataset<Row> query(SparkSession spark, List<LocalDate> slices) {
    // Before its first batch (or after its checkpoint was removed) the sources give the same rows.
    if (kept == null || !DeltaTable.isDeltaTable(spark, keptPath)) {
      return GoldQuery.rows(spark, table);
    }
    Dataset<Row> aggregates = spark.read().format("delta").load(keptPath);
    if (kept.sliceLocal() && !slices.isEmpty()) {
      aggregates = aggregates.where(inSlices(slices));
    }
    return kept.fromAggregates(spark, aggregates);
  }

  GoldTable table() {
    return table;
  }

  /** Recomputes the whole table. */
  void recomputeAll(SparkSession spark) {
    overwrite(query(spark, List.of()), path, null, 0, null);
  }

  /**
   * Replaces the whole table with {@code rows}; with an application id, once per (appId, version).
   *
   * @param userMetadata what the commit records as its {@code userMetadata}, or null
   */
  private void overwrite(
      Dataset<Row> rows, String target, String appId, long version, String userMetadata) {
    SparkSession spark = rows.sparkSession();
    var writer = rows.write().format("delta").mode("overwrite").option("overwriteSchema", "true");
    if (appId != null) {
      writer = writer.option("txnAppId", appId).option("txnVersion", version);
    }
    if (userMetadata != null) {
      writer = writer.option("userMetadata", userMetadata);
    }
    if (policy != null && !DeltaTable.isDeltaTable(spark, target)) {
      // Delta takes a writer's "delta." options as the properties of the table it creates: the
      // first batch creates the table with its auto compaction, with no metadata commit of its own.
      writer = writer.option(TableMaintenance.AUTO_COMPACT, String.valueOf(policy.autoCompact()));
    }
    List<String> partitionBy = target.equals(path) ? table.partitionBy() : List.of(table.slice());
    if (!partitionBy.isEmpty()) {
      writer = writer.partitionBy(partitionBy.toArray(String[]::new));
    }
    var write = writer;
    delta.retryOnConflict(table.qualifiedName(), () -> write.save(target));
  }

  /** Recomputes the given slices, or the whole table if it does not exist yet. */
  void recompute(SparkSession spark, List<LocalDate> slices) {
    recompute(spark, new Open(slices, null));
  }

  /**
   * Recomputes the open windows of the open slices, or the whole table if it does not exist yet.
   */
  private void recompute(SparkSession spark, Open open) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      recomputeAll(spark);
      return;
    }
    if (open.slices().isEmpty()) {
      return;
    }
    String predicate = inSlices(open.slices());
    if (open.windowsFrom() != null) {
      // The closed windows of an open slice keep their rows until a batch run corrects them.
      predicate +=
          " AND "
              + Sql.identifier(table.window().column())
              + " >= timestamp_millis("
              + open.windowsFrom().toEpochMilli()
              + ")";
    }
    replaceWhere(query(spark, open.slices()), path, predicate, null);
  }

  /**
   * What a streaming batch recomputes: its open slices and, for a table of windows, the start of
   * the first window still open (null: every window of those slices).
   */
  private record Open(List<LocalDate> slices, Instant windowsFrom) {}

  /**
   * Replaces the rows of the given slices in {@code target} (the table or its kept aggregates) with
   * those of {@code rows} in them, or all of them when there are no slices or it does not exist
   * yet.
   *
   * @param userMetadata what the commit records as its {@code userMetadata}, or null
   */
  void replace(Dataset<Row> rows, String target, List<LocalDate> slices, String userMetadata) {
    if (slices.isEmpty() || !DeltaTable.isDeltaTable(rows.sparkSession(), target)) {
      overwrite(rows, target, null, 0, userMetadata);
      return;
    }
    replaceWhere(rows, target, inSlices(slices), userMetadata);
  }

  private String inSlices(List<LocalDate> slices) {
    return Sql.identifier(table.slice()) + " IN (" + dates(slices) + ")";
  }

  /** Replaces the rows of {@code target} that {@code predicate} holds for with those of rows. */
  private void replaceWhere(
      Dataset<Row> rows, String target, String predicate, String userMetadata) {
    var writer =
        rows.where(predicate)
            .write()
            .format("delta")
            .mode("overwrite")
            .option("replaceWhere", predicate);
    var write = userMetadata == null ? writer : writer.option("userMetadata", userMetadata);
    // A slice recomputed from silver is the same however often it is written.
    delta.retryOnConflict(table.qualifiedName(), () -> write.save(target));
  }

  /**
   * Merges one batch's aggregates into the table by its group keys ({@link IncrementalAggregate}),
   * or into the aggregates it keeps apart ({@link #mergeTarget}): the first batch of a checkpoint
   * writes them whole, each later one updates the groups it touched and adds the ones it made,
   * reading only the files of the batch's slices. Each write happens once per batch (Delta's
   * transaction id of this query), so a replayed batch, whose state marks the same members, writes
   * nothing twice.
   *
   * @param marked the query's source rows of the batch, with {@link
   *     IncrementalAggregate#NEW_MEMBER} when the query counts distinct members
   * @return the slices the batch touched (none for the first batch, which writes them all)
   */
  List<LocalDate> merge(Dataset<Row> marked, IncrementalAggregate plan, long batchId) {
    return mergeAggregates(plan.aggregates(marked), plan, batchId);
  }

  /**
   * Merges one batch's aggregates into the table by its group keys, as {@link #merge} does: for a
   * query that {@link IncrementalAggregate#joined joins its sources}, the change the batch made to
   * them (the whole aggregates for a checkpoint's first batch), deleting a group whose count of
   * rows falls to zero.
   *
   * @return the slices the batch touched (none for the first batch, which writes them all)
   */
  List<LocalDate> mergeAggregates(
      Dataset<Row> aggregates, IncrementalAggregate plan, long batchId) {
    SparkSession spark = aggregates.sparkSession();
    String target = mergeTarget();
    String appId = DeltaWriter.streamingAppId(spark, table.qualifiedName());
    if (batchId == 0) {
      // Whatever the table held before this checkpoint is replaced: the checkpoint's first batch
      // reads its sources from their first version.
      overwrite(aggregates, target, appId, batchId, null);
      return List.of();
    }
    if (!DeltaTable.isDeltaTable(spark, target)) {
      throw new MedallionException(
          table.qualifiedName()
              + (target.equals(path) ? "" : "'s aggregates")
              + " are gone from "
              + target
              + ", but its checkpoint has merged batches into them: the batches since cannot"
              + " rebuild them.",
          "Rebuild it: ./lakehouse aggregate --full-refresh --table " + table.qualifiedName());
    }
    Dataset<Row> batch = aggregates.persist();
    try {
      // Computing the slices runs the batch's state once; the merge reads the cached rows.
      List<Row> touched = batch.select(plan.slice()).distinct().collectAsList();
      if (touched.isEmpty()) {
        return List.of();
      }
      List<LocalDate> slices = slices(touched);
      String slice = "t." + Sql.identifier(plan.slice());
      List<String> prune = new ArrayList<>();
      if (!slices.isEmpty()) {
        prune.add(slice + " IN (" + dates(slices) + ")");
      }
      if (slices.size() < touched.size()) {
        prune.add(slice + " IS NULL");
      }
      List<String> on = new ArrayList<>();
      for (String c : plan.groupColumns()) {
        on.add("t." + Sql.identifier(c) + " <=> s." + Sql.identifier(c));
      }
      on.add("(" + String.join(" OR ", prune) + ")");
      String condition = String.join(" AND ", on);
      // Delta takes the transaction id of a MERGE from the session: this query's own copy.
      spark.conf().set(TXN_APP_ID, appId);
      spark.conf().set(TXN_VERSION, String.valueOf(batchId));
      try {
        delta.retryOnConflict(
            table.qualifiedName(),
            () -> {
              var merge = DeltaTable.forPath(spark, target).as("t").merge(batch.as("s"), condition);
              if (plan.joined()) {
                String rows = Sql.identifier(plan.rowCount());
                merge = merge.whenMatched("t." + rows + " + s." + rows + " = 0").delete();
              }
              merge.whenMatched().updateExpr(plan.merged()).whenNotMatched().insertAll().execute();
            });
      } finally {
        spark.conf().unset(TXN_APP_ID);
        spark.conf().unset(TXN_VERSION);
      }
      return slices;
    } finally {
      batch.unpersist();
    }
  }

  /**
   * Applies one batch to a table computed from the aggregates it keeps: merges the batch's
   * aggregates into them, then recomputes from them the slices the batch touched (the whole table
   * for a checkpoint's first batch). Out of a batch run, a streaming table recomputes only its open
   * slices and records the rows of closed ones as late, as {@link #apply} does.
   *
   * @param changes for a streaming table, the batch's {@link #SLICE} and {@link #EVENT_TIME} of
   *     every source row; null otherwise
   */
  void keep(
      Dataset<Row> marked,
      Dataset<Row> changes,
      IncrementalAggregate plan,
      long batchId,
      boolean batch) {
    List<LocalDate> touched = merge(marked, plan, batchId);
    delta.faults().reach(GoldAggregation.KEPT_MERGED + table.qualifiedName());
    SparkSession spark = marked.sparkSession();
    Open open = changes == null || batch ? new Open(touched, null) : openSlices(changes, batchId);
    if (batchId == 0 || !DeltaTable.isDeltaTable(spark, path)) {
      recomputeAll(spark);
    } else {
      recompute(spark, open);
    }
  }

  /** Recomputes the slices recorded as late and marks them corrected. */
  void correctLateSlices(SparkSession spark) {
    if (table.refresh() != Refresh.STREAMING) {
      return;
    }
    List<LocalDate> pending = LateSlices.pending(spark, lake, table.qualifiedName());
    recompute(spark, pending);
    LateSlices.corrected(spark, lake, table.qualifiedName(), pending);
  }

  /**
   * Applies one batch of source changes.
   *
   * @param changes new source rows: {@link #SLICE} and, for streaming, {@link #EVENT_TIME}
   * @param batch whether this is a batch run, where no slice is closed
   */
  void apply(Dataset<Row> changes, long batchId, boolean batch) {
    SparkSession spark = changes.sparkSession();
    if (table.refresh() == Refresh.FULL) {
      if (!changes.isEmpty() || !DeltaTable.isDeltaTable(spark, path)) {
        recomputeAll(spark);
      }
      return;
    }
    if (table.refresh() == Refresh.INCREMENTAL || batch) {
      recompute(spark, slices(changes.select(SLICE).distinct().collectAsList()));
      return;
    }
    recompute(spark, openSlices(changes, batchId));
  }

  /**
   * What a streaming batch recomputes, decided by the watermark the batch before left (so that a
   * replayed batch closes exactly what it closed the first time): the slices not before the
   * watermark's date or, for a table of windows, the slices with a row in a window that has not
   * ended by the watermark, and only those windows of them. Records the rows of closed slices (or
   * windows) as late, per slice, and this batch's newest event time.
   */
  private Open openSlices(Dataset<Row> changes, long batchId) {
    SparkSession spark = changes.sparkSession();
    Instant previous = watermarks.before(spark, batchId).orElse(null);
    Instant closedBefore = previous == null ? null : previous.minus(table.watermark());
    LocalDate slicesFrom =
        closedBefore == null ? LocalDate.MIN : LocalDate.ofInstant(closedBefore, ZoneOffset.UTC);
    Instant windowsFrom =
        closedBefore == null || table.window() == null
            ? null
            : table.window().startOf(closedBefore);
    Column late =
        windowsFrom == null ? lit(false) : col(EVENT_TIME).lt(lit(Timestamp.from(windowsFrom)));
    List<Row> perSlice =
        changes
            .groupBy(SLICE)
            .agg(count(lit(1)), sum(when(late, 1L).otherwise(0L)), max(col(EVENT_TIME)))
            .collectAsList();
    List<LocalDate> open = new ArrayList<>();
    Map<LocalDate, Long> lateRows = new LinkedHashMap<>();
    Instant newest = previous;
    for (Row r : perSlice) {
      if (r.isNullAt(0)) {
        continue;
      }
      LocalDate slice = r.getDate(0).toLocalDate();
      long rows = r.getLong(1);
      long behind = slice.isBefore(slicesFrom) ? rows : r.getLong(2);
      if (behind > 0) {
        lateRows.put(slice, behind);
      }
      if (behind < rows) {
        open.add(slice);
      }
      if (!r.isNullAt(3)) {
        Instant t = ((Timestamp) r.get(3)).toInstant();
        newest = newest == null || t.isAfter(newest) ? t : newest;
      }
    }
    if (!lateRows.isEmpty()) {
      LateSlices.record(
          spark,
          delta,
          lake,
          table.qualifiedName(),
          lateRows,
          DeltaWriter.streamingAppId(spark, table.qualifiedName()),
          batchId);
    }
    watermarks.record(spark, batchId, newest);
    return new Open(open, windowsFrom);
  }

  private static List<LocalDate> slices(List<Row> rows) {
    TreeSet<LocalDate> slices = new TreeSet<>();
    for (Row r : rows) {
      if (!r.isNullAt(0)) {
        slices.add(r.getDate(0).toLocalDate());
      }
    }
    return List.copyOf(slices);
  }

  static String dates(List<LocalDate> slices) {
    return slices.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "));
  }
}
