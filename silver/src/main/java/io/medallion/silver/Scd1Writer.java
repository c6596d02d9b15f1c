package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.medallion.core.spark.SideBySide;
import io.medallion.core.spec.Pipeline.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * SCD type 1: the current row per key, the change with the highest sequence winning; a delete
 * removes the key. Older changes arriving late are ignored, including an update older than a delete
 * that already removed the key: deletes leave a tombstone (key, sequence) in a side table.
 *
 * <p>Idempotent by MERGE conditions: a change applies only when its sequence is greater than the
 * row's (or the tombstone's), so replaying a batch changes nothing. The table and the tombstones
 * are merged side by side once the batch's changes are computed: neither MERGE reads the other's
 * table, and a tombstone the batch writes is its key's newest change in the batch, which a replay
 * keeps; so a crash after either MERGE leaves a state the replay completes.
 */
final class Scd1Writer implements SilverWriter {
  private static final String IS_DELETE = "__is_delete";

  private final Write write;
  private final String path;
  private final String tombstones;

  Scd1Writer(Write write, String path, String tombstones) {
    this.write = write;
    this.path = path;
    this.tombstones = tombstones;
  }

  @Override
  public void create(SparkSession spark, StructType rowSchema) {
    DeltaTable.createIfNotExists(spark)
        .location(path)
        .addColumns(rowSchema)
        .partitionedBy(write.partitionBy().toArray(String[]::new))
        .execute();
    if (!write.deleteWhen().isEmpty()) {
      StructType keys = new StructType();
      for (String k : write.keys()) {
        keys = keys.add(rowSchema.apply(k));
      }
      DeltaTable.createIfNotExists(spark)
          .location(tombstones)
          .addColumns(keys.add(rowSchema.apply(write.sequenceBy())))
          .comment("Deleted keys and the sequence of their delete, so late older changes stay out.")
          .execute();
    }
  }

  @Override
  public Planned plan(Dataset<Row> candidates, long candidateCount, String appId, long version) {
    String keys =
        write.keys().stream().map(JsonPayloadParser::quote).collect(Collectors.joining(", "));
    String seq = JsonPayloadParser.quote(write.sequenceBy());
    String[] columns = candidates.columns();
    Dataset<Row> latest =
        candidates
            .withColumn(IS_DELETE, expr(SilverWriter.isDelete(write)))
            .withColumn(
                "__newest",
                expr(
                    "row_number() OVER (PARTITION BY "
                        + keys
                        + " ORDER BY "
                        + seq
                        + " DESC, source_partition DESC, source_offset DESC)"))
            .where("__newest = 1")
            .drop("__newest");
    SparkSession spark = candidates.sparkSession();
    if (!write.deleteWhen().isEmpty()) {
      Dataset<Row> tomb = spark.read().format("delta").load(tombstones);
      latest =
          latest
              .as("s")
              .join(
                  tomb.as("t"),
                  expr(
                      SilverWriter.keyMatch(write.keys(), "t", "s")
                          + " AND t."
                          + seq
                          + " >= s."
                          + seq
                          + " AND NOT s."
                          + IS_DELETE),
                  "left_anti");
    }
    // Kept once: the MERGEs read the changes several times, and the counts decide which run.
    Dataset<Row> changes = latest.persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, String> assign = SilverWriter.fromSource(columns);
    Runnable apply =
        () -> {
          // Delta commits a MERGE that changes nothing all the same, and each commit costs a
          // rebuild of the table's state: a batch whose changes are all kept out by tombstones
          // skips the table's MERGE, one without deletes the tombstones' MERGE.
          Row counted = changes.agg(count(lit(1)), count_if(col(IS_DELETE))).first();
          if (counted.getLong(0) == 0) {
            return;
          }
          List<Runnable> merges = new ArrayList<>();
          merges.add(
              () ->
                  DeltaTable.forPath(spark, path)
                      .as("t")
                      .merge(changes.as("s"), SilverWriter.keyMatch(write.keys(), "t", "s"))
                      .whenMatched("s." + seq + " > t." + seq + " AND s." + IS_DELETE)
                      .delete()
                      .whenMatched("s." + seq + " > t." + seq)
                      .updateExpr(assign)
                      .whenNotMatched("NOT s." + IS_DELETE)
                      .insertExpr(assign)
                      .execute());
          if (!write.deleteWhen().isEmpty() && counted.getLong(1) > 0) {
            String[] tombColumns = spark.read().format("delta").load(tombstones).columns();
            merges.add(
                () ->
                    DeltaTable.forPath(spark, tombstones)
                        .as("t")
                        .merge(
                            changes.where(IS_DELETE).as("s"),
                            SilverWriter.keyMatch(write.keys(), "t", "s"))
                        .whenMatched("s." + seq + " > t." + seq)
                        .updateExpr(Map.of("t." + seq, "s." + seq))
                        .whenNotMatched()
                        .insertExpr(SilverWriter.fromSource(tombColumns))
                        .execute());
          }
          // The changes are computed (counted above, and kept): neither MERGE reads the other's
          // table, and each applies only what the table lacks, in either order.
          SideBySide.run("scd1-merge", merges);
        };
    return new Planned(candidateCount, 0, apply, changes::unpersist);
  }
}
