package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.spec.Pipeline.Write;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Append mode: rows whose key is not in the table yet are appended; the rest are duplicates, or,
 * for a table whose uniqueness rule names its keys, conflicts when their payload differs from the
 * row the table holds ({@link #payloadHash}).
 *
 * <p>Idempotent by Delta transaction id: the append carries (appId, batch id), so a replayed batch
 * is skipped by Delta even if planning ran again.
 */
final class AppendWriter implements SilverWriter {
  /** What planning decided for a candidate it keeps: {@link #FRESH} or {@link #CONFLICT}. */
  private static final String VERDICT = "__verdict";

  private static final String FRESH = "fresh";
  private static final String CONFLICT = "conflict";
  private static final String OWN_HASH = "__own_hash";

  private final Write write;
  private final String path;
  private final DeltaWriter delta;
  private final boolean conflicts;

  AppendWriter(Write write, String path, DeltaWriter delta, boolean conflicts) {
    this.write = write;
    this.path = path;
    this.delta = delta;
    this.conflicts = conflicts;
  }

  /**
   * The columns that make a row's payload: all but the lineage of its delivery, which a re-send
   * changes.
   */
  static List<String> payloadColumns(StructType rows) {
    return Arrays.stream(rows.fieldNames())
        .filter(c -> !c.startsWith("__") && !SilverColumns.DELIVERY.contains(c))
        .toList();
  }

  /**
   * A hash of a row's payload columns, as JSON (which tells a null from a missing field apart), so
   * that two deliveries of one record hash alike and a changed record does not.
   */
  static Column payloadHash(List<String> columns) {
    return xxhash64(
        to_json(
            struct(
                columns.stream()
                    .map(c -> col(JsonPayloadParser.quote(c)))
                    .toArray(Column[]::new))));
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
    // Fresh rows and conflicts; duplicates are left out, they are only counted.
    Dataset<Row> kept =
        (Arrays.asList(candidates.columns()).contains(KeyStates.COLUMN)
                ? keptPerState(candidates)
                : keptAgainst(candidates, table(candidates)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return planned(
        kept, candidateCount, fresh -> () -> delta.appendOnce(fresh, path, appId, version));
  }

  /**
   * The plan of writing a cached set of fresh rows and conflicts, counted by their verdict in one
   * pass; the candidates missing from it are duplicates.
   *
   * @param write how the fresh rows are written
   */
  private Planned planned(
      Dataset<Row> kept, long candidateCount, Function<Dataset<Row>, Runnable> write) {
    long accepted = 0;
    long conflicting = 0;
    for (Row r : kept.groupBy(VERDICT).count().collectAsList()) {
      if (FRESH.equals(r.getString(0))) {
        accepted = r.getLong(1);
      } else {
        conflicting = r.getLong(1);
      }
    }
    return new Planned(
        accepted,
        candidateCount - accepted - conflicting,
        write.apply(kept.where(col(VERDICT).equalTo(FRESH)).drop(VERDICT)),
        kept::unpersist,
        conflicting == 0 ? null : kept.where(col(VERDICT).equalTo(CONFLICT)).drop(VERDICT),
        conflicting);
  }

  @Override
  public Planned planReplacing(Dataset<Row> candidates, long candidateCount, String range) {
    Dataset<Row> kept =
        (write.keys().isEmpty()
                ? candidates.withColumn(VERDICT, lit(FRESH))
                : keptAgainst(candidates, table(candidates).where("NOT (" + range + ")")))
            .persist(StorageLevel.MEMORY_AND_DISK());
    // Delta checks that every row written matches the range. The caller reads every record the
    // range can hold (a range of past ingestion dates), so a commit between this plan and the
    // write cannot add a row the plan lacks; the write may be run again as planned.
    return planned(
        kept,
        candidateCount,
        replacing ->
            () ->
                replacing
                    .write()
                    .format("delta")
                    .mode("overwrite")
                    .option("replaceWhere", range)
                    .save(path));
  }

  /**
   * The fresh candidates and conflicts, by their {@link KeyStates} marks: new keys are taken and
   * held keys are duplicates (or conflicts, by the payload hash the state holds) without reading
   * the table; the rest are checked against only the table's partitions they would be written to (a
   * re-send has its first delivery's payload, so its partition values). No such rows, no read.
   */
  private Dataset<Row> keptPerState(Dataset<Row> candidates) {
    Column state = col(KeyStates.COLUMN);
    Column heldHash = col(KeyStates.HELD_HASH);
    Column conflict =
        conflicts
            ? state
                .equalTo(KeyStates.HELD)
                .and(heldHash.isNotNull())
                .and(heldHash.notEqual(payloadHash(payloadColumns(candidates.schema()))))
            : lit(false);
    Dataset<Row> known =
        candidates
            .where(state.equalTo(KeyStates.NEW).or(conflict))
            .withColumn(VERDICT, when(state.equalTo(KeyStates.NEW), FRESH).otherwise(CONFLICT))
            .drop(KeyStates.COLUMN, KeyStates.HELD_HASH);
    Dataset<Row> unsure =
        candidates
            .where(state.isNull().or(state.equalTo(KeyStates.CHECK)))
            .drop(KeyStates.COLUMN, KeyStates.HELD_HASH);
    List<Row> partitions =
        write.partitionBy().isEmpty()
            ? List.of()
            : unsure.select(partitionColumns()).distinct().collectAsList();
    if (write.partitionBy().isEmpty() ? unsure.isEmpty() : partitions.isEmpty()) {
      return known;
    }
    Dataset<Row> rows = table(candidates);
    if (!partitions.isEmpty()) {
      rows = rows.where(inPartitions(partitions));
    }
    return known.unionByName(keptAgainst(unsure, rows));
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

  /**
   * The candidates whose key none of {@code rows} holds ({@link #FRESH}), and, when this writer
   * tells conflicts apart, those whose key a row holds with another payload ({@link #CONFLICT}).
   */
  private Dataset<Row> keptAgainst(Dataset<Row> candidates, Dataset<Row> rows) {
    String match = SilverWriter.keyMatch(write.keys(), "t", "s");
    if (!conflicts) {
      return candidates
          .as("s")
          .join(rows.select(keyColumns()).as("t"), expr(match), "left_anti")
          .withColumn(VERDICT, lit(FRESH));
    }
    List<String> payload = payloadColumns(candidates.schema());
    List<Column> held = new ArrayList<>(Arrays.asList(keyColumns()));
    held.add(payloadHash(payload).as(KeyStates.HELD_HASH));
    Column heldHash = col("t." + KeyStates.HELD_HASH);
    return candidates
        .withColumn(OWN_HASH, payloadHash(payload))
        .as("s")
        .join(rows.select(held.toArray(Column[]::new)).as("t"), expr(match), "left")
        .where(heldHash.isNull().or(heldHash.notEqual(col("s." + OWN_HASH))))
        .select(
            Stream.concat(
                    Arrays.stream(candidates.columns())
                        .map(c -> col("s." + JsonPayloadParser.quote(c))),
                    Stream.of(when(heldHash.isNull(), FRESH).otherwise(CONFLICT).as(VERDICT)))
                .toArray(Column[]::new));
  }

  private org.apache.spark.sql.Column[] keyColumns() {
    return write.keys().stream()
        .map(k -> expr(JsonPayloadParser.quote(k)))
        .toArray(org.apache.spark.sql.Column[]::new);
  }
}
