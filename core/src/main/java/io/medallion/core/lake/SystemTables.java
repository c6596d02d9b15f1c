package io.medallion.core.lake;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;

/** The platform's own tables, under {@code _system}: what it recorded, for people and tools. */
public final class SystemTables {
  /** Per silver batch: bronze rows read, accepted, quarantined, duplicates, dropped. */
  public static final TableRef RECONCILIATION = TableRef.of(Layer.SYSTEM, "reconciliation");

  /** Per silver batch and rule: rows passed and failed. */
  public static final TableRef EXPECTATION_RESULTS =
      TableRef.of(Layer.SYSTEM, "expectation_results");

  /** Slices of streaming gold tables that late events touched, until corrected. */
  public static final TableRef GOLD_LATE_SLICES = TableRef.of(Layer.SYSTEM, "gold_late_slices");

  /** The event log. */
  public static final TableRef EVENTS = TableRef.of(Layer.SYSTEM, "events");

  /** Every system table queries may read, in this order. */
  public static final List<TableRef> ALL =
      List.of(RECONCILIATION, EXPECTATION_RESULTS, GOLD_LATE_SLICES, EVENTS);

  private SystemTables() {}

  /**
   * Creates a system table unless it exists, with Delta's auto compaction off, and turns it off in
   * one created with it (one look at the table's metadata; a commit only that once).
   *
   * <p>Every batch of a running pipeline appends a row or a few to these tables, and after each
   * commit Delta's auto compaction hook plans a compaction over the table's new state, a Spark job
   * on the batch's path (docs/performance.md, "Where the time of a running pipeline goes"). {@code
   * lakehouse maintain} compacts them instead, as it does every table of the pipeline.
   *
   * @param definition the table's columns, partitioning and comment
   */
  public static void create(
      SparkSession spark, String location, UnaryOperator<DeltaTableBuilder> definition) {
    try {
      definition
          .apply(DeltaTable.createIfNotExists(spark).location(location))
          .property(TableMaintenance.AUTO_COMPACT, "false")
          .execute();
    } catch (RuntimeException e) {
      // Another job created it at the same moment.
      if (!DeltaTable.isDeltaTable(spark, location)) {
        throw e;
      }
    }
    TableMaintenance.applyAutoCompaction(spark, location, false);
  }
}
