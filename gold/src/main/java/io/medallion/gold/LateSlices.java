package io.medallion.gold;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.SystemTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.gold_late_slices}: events that arrived behind a streaming gold table's watermark,
 * counted per slice. A streaming table does not reopen a closed slice; the next batch run ({@code
 * aggregate --once}) recomputes every slice recorded here and sets {@code corrected_at}.
 */
public final class LateSlices {
  public static final String TABLE = "gold_late_slices";

  static final StructType SCHEMA =
      new StructType()
          .add("gold_table", DataTypes.StringType, false)
          .add("slice", DataTypes.DateType, false)
          .add("late_rows", DataTypes.LongType, false)
          .add("batch_id", DataTypes.LongType, false)
          .add("recorded_at", DataTypes.TimestampType, false)
          .add("corrected_at", DataTypes.TimestampType, true);

  private LateSlices() {}

  static void create(SparkSession spark, LakeLayout lake) {
    SystemTables.create(
        spark,
        lake.system(TABLE),
        table ->
            table
                .addColumns(SCHEMA)
                .comment(
                    "Events behind a streaming gold table's watermark, per slice, until corrected"));
  }

  /** Records late rows per slice for one batch, idempotently. */
  static void record(
      SparkSession spark,
      DeltaWriter delta,
      LakeLayout lake,
      String table,
      Map<LocalDate, Long> lateRows,
      String appId,
      long batchId) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    lateRows.forEach(
        (slice, count) ->
            rows.add(RowFactory.create(table, Date.valueOf(slice), count, batchId, now, null)));
    delta.appendRowsOnce(spark, rows, SCHEMA, lake.system(TABLE), appId, batchId);
  }

  /** The slices of a table recorded as late and not corrected yet. */
  static List<LocalDate> pending(SparkSession spark, LakeLayout lake, String table) {
    return spark
        .read()
        .format("delta")
        .load(lake.system(TABLE))
        .where("gold_table = '" + table + "' AND corrected_at IS NULL")
        .select("slice")
        .distinct()
        .collectAsList()
        .stream()
        .map(r -> r.getDate(0).toLocalDate())
        .sorted()
        .toList();
  }

  /** Marks the given slices of a table corrected. */
  static void corrected(SparkSession spark, LakeLayout lake, String table, List<LocalDate> slices) {
    if (slices.isEmpty()) {
      return;
    }
    DeltaTable.forPath(spark, lake.system(TABLE))
        .update(
            org.apache.spark.sql.functions.expr(
                "gold_table = '"
                    + table
                    + "' AND corrected_at IS NULL AND slice IN ("
                    + GoldTableRefresher.dates(slices)
                    + ")"),
            Map.of("corrected_at", org.apache.spark.sql.functions.current_timestamp()));
  }
}
