package io.medallion.silver;

import io.medallion.core.events.Event;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.SystemTables;
import io.medallion.core.spark.SideBySide;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What silver records about each batch, in two platform tables users can query:
 *
 * <ul>
 *   <li>{@code _system/reconciliation}: per table and batch, bronze rows read = accepted +
 *       quarantined + duplicates + dropped;
 *   <li>{@code _system/expectation_results}: per table, rule and batch, rows passed and failed (the
 *       payload parse counts as the rule {@code parse}).
 * </ul>
 */
public final class SilverRecords {
  public static final String RECONCILIATION = "reconciliation";
  public static final String EXPECTATION_RESULTS = "expectation_results";

  /** A streaming micro-batch. */
  public static final String KIND_STREAM = "stream";

  /** A quarantine reprocess: rows move from quarantined to accepted. */
  public static final String KIND_REPROCESS = "reprocess";

  static final StructType RECONCILIATION_SCHEMA =
      new StructType()
          .add("table", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("batch_id", DataTypes.LongType, false)
          .add("bronze_rows", DataTypes.LongType, false)
          .add("accepted", DataTypes.LongType, false)
          .add("quarantined", DataTypes.LongType, false)
          .add("duplicates", DataTypes.LongType, false)
          .add("dropped", DataTypes.LongType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  static final StructType RESULTS_SCHEMA =
      new StructType()
          .add("table", DataTypes.StringType, false)
          .add("rule", DataTypes.StringType, false)
          .add("action", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("batch_id", DataTypes.LongType, false)
          .add("passed", DataTypes.LongType, false)
          .add("failed", DataTypes.LongType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  /**
   * One batch's reconciliation.
   *
   * @param bronzeRows bronze rows the batch read
   * @param accepted rows written to (or applied to) the silver table
   * @param quarantined rows written to quarantine
   * @param duplicates rows whose key was already in the batch or the table
   * @param dropped rows discarded by a drop rule or removed by the transformation
   */
  public record Counts(
      long bronzeRows, long accepted, long quarantined, long duplicates, long dropped) {
    /** Whether every bronze row is accounted for. */
    public boolean balanced() {
      return bronzeRows == accepted + quarantined + duplicates + dropped;
    }
  }

  /**
   * One rule's result in one batch.
   *
   * @param rule the rule's name
   * @param action what the rule does on failure, lower case
   * @param passed rows that passed
   * @param failed rows that failed
   */
  public record RuleResult(String rule, String action, long passed, long failed) {}

  private SilverRecords() {}

  /** Creates both tables if they do not exist. */
  public static void create(SparkSession spark, LakeLayout lake) {
    SystemTables.create(
        spark,
        lake.system(RECONCILIATION),
        table ->
            table
                .addColumns(RECONCILIATION_SCHEMA)
                .comment(
                    "Per silver table and batch: bronze rows ="
                        + " accepted+quarantined+duplicates+dropped"));
    SystemTables.create(
        spark,
        lake.system(EXPECTATION_RESULTS),
        table ->
            table
                .addColumns(RESULTS_SCHEMA)
                .comment("Per silver table, rule and batch: rows passed and failed"));
  }

  /**
   * Records one batch, idempotently: a replay with the same (appId, batchId) writes nothing.
   *
   * @param table the qualified silver table name
   * @param kind {@link #KIND_STREAM} or {@link #KIND_REPROCESS}
   * @param appId the writer's Delta application id; also recorded as the run id
   * @param alongside the batch's other writes that do not depend on these (such as its quarantined
   *     rows), run side by side with the two appends
   */
  static void record(
      SparkSession spark,
      LakeLayout lake,
      DeltaWriter delta,
      EventSink events,
      String table,
      String kind,
      String appId,
      long batchId,
      Counts counts,
      List<RuleResult> results,
      List<Runnable> alongside) {
    Timestamp now = Timestamp.from(Instant.now());
    Row reconciliation =
        RowFactory.create(
            table,
            kind,
            appId,
            batchId,
            counts.bronzeRows(),
            counts.accepted(),
            counts.quarantined(),
            counts.duplicates(),
            counts.dropped(),
            now);
    List<Row> rows = new ArrayList<>();
    for (RuleResult r : results) {
      rows.add(
          RowFactory.create(
              table, r.rule(), r.action(), appId, batchId, r.passed(), r.failed(), now));
    }
    List<Runnable> writes = new ArrayList<>();
    writes.add(
        () ->
            delta.appendRowsOnce(
                spark,
                List.of(reconciliation),
                RECONCILIATION_SCHEMA,
                lake.system(RECONCILIATION),
                appId,
                batchId));
    writes.add(
        () ->
            delta.appendRowsOnce(
                spark, rows, RESULTS_SCHEMA, lake.system(EXPECTATION_RESULTS), appId, batchId));
    writes.addAll(alongside);
    SideBySide.run(table + "-records", writes);
    for (RuleResult r : results) {
      events.add(Event.rule(table, r.rule(), r.action(), batchId, r.passed(), r.failed()));
    }
  }

  /** The reconciliation table. */
  public static Dataset<Row> reconciliation(SparkSession spark, LakeLayout lake) {
    return spark.read().format("delta").load(lake.system(RECONCILIATION));
  }

  /** The rule results table. */
  public static Dataset<Row> expectationResults(SparkSession spark, LakeLayout lake) {
    return spark.read().format("delta").load(lake.system(EXPECTATION_RESULTS));
  }
}
