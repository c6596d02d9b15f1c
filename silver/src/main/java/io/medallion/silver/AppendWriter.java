package io.medallion.silver;

import static org.apache.spark.sql.functions.expr;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.spec.Pipeline.Write;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Append mode: rows whose key is not in the table yet are appended; the rest are duplicates.
 *
 * <p>Idempotent by Delta transaction id: the append carries (appId, batch id), so a replayed batch
 * is skipped by Delta even if planning ran again.
 */
final class AppendWriter implements SilverWriter {
  private final Write write;
  private final String path;
  private final DeltaWriter delta;

  AppendWriter(Write write, String path, DeltaWriter delta) {
    this.write = write;
    this.path = path;
    this.delta = delta;
  }

  @Override
  public void create(SparkSession spark, StructType rowSchema) {
    DeltaTable.createIfNotExists(spark)
        .location(path)
        .addColumns(rowSchema)
        .partitionedBy(write.partitionBy().toArray(String[]::new))
        .execute();
  }

  @Override
  public Planned plan(Dataset<Row> candidates, long candidateCount, String appId, long version) {
    if (write.keys().isEmpty()) {
      return new Planned(
          candidateCount, 0, () -> delta.appendOnce(candidates, path, appId, version), () -> {});
    }
    Dataset<Row> fresh =
        notHeldIn(candidates, table(candidates)).persist(StorageLevel.MEMORY_AND_DISK());
    long accepted = fresh.count();
    return new Planned(
        accepted,
        candidateCount - accepted,
        () -> delta.appendOnce(fresh, path, appId, version),
        fresh::unpersist);
  }

  @Override
  public Planned planReplacing(Dataset<Row> candidates, long candidateCount, String range) {
    Dataset<Row> replacing =
        (write.keys().isEmpty()
                ? candidates
                : notHeldIn(candidates, table(candidates).where("NOT (" + range + ")")))
            .persist(StorageLevel.MEMORY_AND_DISK());
    long accepted = replacing.count();
    return new Planned(
        accepted,
        candidateCount - accepted,
        // Delta checks that every row written matches the range. The caller reads every record
        // the range can hold (a range of past ingestion dates), so a commit between this plan and
        // the write cannot add a row the plan lacks; the write may be run again as planned.
        () ->
            replacing
                .write()
                .format("delta")
                .mode("overwrite")
                .option("replaceWhere", range)
                .save(path),
        replacing::unpersist);
  }

  private Dataset<Row> table(Dataset<Row> candidates) {
    return candidates.sparkSession().read().format("delta").load(path);
  }

  /** The candidates whose key none of {@code rows} holds. */
  private Dataset<Row> notHeldIn(Dataset<Row> candidates, Dataset<Row> rows) {
    return candidates
        .as("s")
        .join(
            rows.select(keyColumns()).as("t"),
            expr(SilverWriter.keyMatch(write.keys(), "t", "s")),
            "left_anti");
  }

  private org.apache.spark.sql.Column[] keyColumns() {
    return write.keys().stream()
        .map(k -> expr(JsonPayloadParser.quote(k)))
        .toArray(org.apache.spark.sql.Column[]::new);
  }
}
