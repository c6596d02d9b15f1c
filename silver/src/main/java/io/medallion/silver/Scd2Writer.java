package io.medallion.silver;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.medallion.core.spec.Pipeline.Write;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * SCD type 2: one row per change (key, sequence), with {@code valid_from} (the change's effective
 * time), {@code valid_to} (the next change's, null while current) and {@code is_current}. A delete
 * is kept as a version that is never current and closes the one before it.
 *
 * <p>Correct under out-of-order arrival: for the keys in a batch, the versions already stored and
 * the new ones are ordered by sequence together and the validity columns recomputed; the MERGE
 * inserts new versions and updates only versions whose validity changed, so replaying a batch
 * changes nothing (idempotent by MERGE conditions).
 */
final class Scd2Writer implements SilverWriter {
  private static final String IS_DELETE = "__is_delete";
  private static final String PREFERENCE = "__preference";

  private final Write write;
  private final String path;

  Scd2Writer(Write write, String path) {
    this.write = write;
    this.path = path;
  }

  @Override
  public void create(SparkSession spark, StructType rowSchema) {
    DeltaTable.createIfNotExists(spark)
        .location(path)
        .addColumns(tableSchema(rowSchema))
        .partitionedBy(write.partitionBy().toArray(String[]::new))
        .execute();
  }

  @Override
  public StructType tableSchema(StructType rowSchema) {
    return rowSchema
        .add(SilverColumns.VALID_FROM, DataTypes.TimestampType, true)
        .add(SilverColumns.VALID_TO, DataTypes.TimestampType, true)
        .add(SilverColumns.IS_CURRENT, DataTypes.BooleanType, true);
  }

  @Override
  public Planned plan(Dataset<Row> candidates, long candidateCount, String appId, long version) {
    SparkSession spark = candidates.sparkSession();
    String keys =
        write.keys().stream().map(JsonPayloadParser::quote).collect(Collectors.joining(", "));
    String seq = JsonPayloadParser.quote(write.sequenceBy());
    String effective = JsonPayloadParser.quote(write.effectiveAt());
    Column[] base =
        Arrays.stream(candidates.columns())
            .map(c -> expr(JsonPayloadParser.quote(c)))
            .toArray(Column[]::new);
    Dataset<Row> batchKeys = candidates.selectExpr(keys.split(", ")).distinct();
    Dataset<Row> stored =
        spark
            .read()
            .format("delta")
            .load(path)
            .as("e")
            .join(
                batchKeys.as("k"), expr(SilverWriter.keyMatch(write.keys(), "e", "k")), "left_semi")
            .select(base)
            .withColumn(PREFERENCE, lit(0));
    String order = " OVER (PARTITION BY " + keys + " ORDER BY " + seq + ")";
    Dataset<Row> versions =
        stored
            .unionByName(candidates.select(base).withColumn(PREFERENCE, lit(1)))
            .withColumn(
                "__first",
                expr(
                    "row_number() OVER (PARTITION BY "
                        + keys
                        + ", "
                        + seq
                        + " ORDER BY "
                        + PREFERENCE
                        + ", source_partition, source_offset)"))
            .where("__first = 1")
            .drop("__first", PREFERENCE)
            .withColumn(IS_DELETE, expr(SilverWriter.isDelete(write)))
            .withColumn(SilverColumns.VALID_FROM, expr(effective))
            .withColumn(
                SilverColumns.VALID_TO,
                expr(
                    "CASE WHEN "
                        + IS_DELETE
                        + " THEN "
                        + effective
                        + " ELSE lead("
                        + effective
                        + ")"
                        + order
                        + " END"))
            .withColumn(
                SilverColumns.IS_CURRENT,
                expr("NOT " + IS_DELETE + " AND lead(" + seq + ")" + order + " IS NULL"))
            .drop(IS_DELETE);
    String[] columns = versions.columns();
    Runnable apply =
        () ->
            DeltaTable.forPath(spark, path)
                .as("t")
                .merge(
                    versions.as("s"),
                    SilverWriter.keyMatch(write.keys(), "t", "s") + " AND t." + seq + " = s." + seq)
                .whenMatched(
                    "NOT (t.valid_to <=> s.valid_to) OR NOT (t.is_current <=> s.is_current)")
                .updateExpr(
                    Map.of(
                        "t." + SilverColumns.VALID_TO,
                        "s." + SilverColumns.VALID_TO,
                        "t." + SilverColumns.IS_CURRENT,
                        "s." + SilverColumns.IS_CURRENT))
                .whenNotMatched()
                .insertExpr(SilverWriter.fromSource(columns))
                .execute();
    return new Planned(candidateCount, 0, apply, () -> {});
  }
}
