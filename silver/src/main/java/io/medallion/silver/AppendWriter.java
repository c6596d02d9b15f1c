package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.spec.Pipeline.Write;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
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
        (Arrays.asList(candidates.columns()).contains(KeyStates.COLUMN)
                ? notHeldPerState(candidates)
                : notHeldIn(candidates, table(candidates)))
            .persist(StorageLevel.MEMORY_AND_DISK());
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

  /**
   * The candidates whose key the table does not hold, by their {@link KeyStates} marks: new keys
   * are taken and held keys are duplicates without reading the table; the rest are checked against
   * only the table's partitions they would be written to (a re-send has its first delivery's
   * payload, so its partition values). No such rows, no read.
   */
  private Dataset<Row> notHeldPerState(Dataset<Row> candidates) {
    Column state = col(KeyStates.COLUMN);
    Dataset<Row> fresh = candidates.where(state.equalTo(KeyStates.NEW)).drop(KeyStates.COLUMN);
    Dataset<Row> unsure =
        candidates.where(state.isNull().or(state.equalTo(KeyStates.CHECK))).drop(KeyStates.COLUMN);
    List<Row> partitions =
        write.partitionBy().isEmpty()
            ? List.of()
            : unsure.select(partitionColumns()).distinct().collectAsList();
    if (write.partitionBy().isEmpty() ? unsure.isEmpty() : partitions.isEmpty()) {
      return fresh;
    }
    Dataset<Row> rows = table(candidates);
    if (!partitions.isEmpty()) {
      rows = rows.where(inPartitions(partitions));
    }
    return fresh.unionByName(notHeldIn(unsure, rows));
  }

  /** True for a row of one of the partitions, each a row of the partition columns' values. */
  private Column inPartitions(List<Row> partitions) {
    Column any = lit(false);
    for (Row p : partitions) {
      Column match = lit(true);
      for (int i = 0; i < write.partitionBy().size(); i++) {
        Column c = col(JsonPayloadParser.quote(write.partitionBy().get(i)));
        match = match.and(p.isNullAt(i) ? c.isNull() : c.equalTo(lit(p.get(i))));
      }
      any = any.or(match);
    }
    return any;
  }

  private Column[] partitionColumns() {
    return write.partitionBy().stream()
        .map(c -> col(JsonPayloadParser.quote(c)))
        .toArray(Column[]::new);
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
