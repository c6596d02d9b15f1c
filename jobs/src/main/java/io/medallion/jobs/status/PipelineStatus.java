package io.medallion.jobs.status;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import io.delta.tables.DeltaTable;
import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.KafkaPreflight;
import io.medallion.core.events.Event;
import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What {@code lakehouse status} reports: per table, when it last changed, its last micro-batch
 * (from the event log), how far bronze is behind Kafka; and the recent failures.
 */
public final class PipelineStatus {
  /** How far back "recent" failures go. */
  public static final Duration RECENT = Duration.ofHours(24);

  private PipelineStatus() {}

  /**
   * One table.
   *
   * @param table its qualified name
   * @param updated the time of its last commit; null if it does not exist yet
   * @param lastBatchId the last micro-batch its query logged; null if none
   * @param lastBatchAt when that batch was logged
   * @param rowsIn rows the batch read
   * @param rowsOut rows it wrote; null where the writer does not count them
   * @param lag records Kafka holds beyond the bronze table (bronze only; null if unknown)
   */
  public record TableStatus(
      String table,
      Instant updated,
      Long lastBatchId,
      Instant lastBatchAt,
      Long rowsIn,
      Long rowsOut,
      Long lag) {}

  /**
   * A failure from the event log.
   *
   * @param at when
   * @param job the command that failed
   * @param message what it said
   */
  public record Failure(Instant at, String job, String message) {}

  /**
   * A failed query started again from its checkpoint ({@code on_failure: restart}).
   *
   * @param at when
   * @param query the query (its table)
   * @param message how many failures in a row came before it
   */
  public record Restart(Instant at, String query, String message) {}

  /**
   * The whole report.
   *
   * @param tables every table of the pipeline, bronze, silver then gold
   * @param failures failures in the last {@link #RECENT}, newest first
   * @param restarts restarts of failed queries in the last {@link #RECENT}, newest first
   * @param kafkaReachable whether bronze's lag could be measured
   */
  public record Report(
      List<TableStatus> tables,
      List<Failure> failures,
      List<Restart> restarts,
      boolean kafkaReachable) {}

  /** The latest 20 events of a kind in the last {@link #RECENT}: time, {@code who}, message. */
  private static List<Row> recent(Dataset<Row> events, String kind, String who) {
    Timestamp since = Timestamp.from(Instant.now().minus(RECENT));
    return events
        .where(col("kind").equalTo(kind).and(col("event_time").geq(since)))
        .orderBy(col("event_time").desc())
        .select("event_time", who, "message")
        .limit(20)
        .collectAsList();
  }

  /**
   * Gathers the report.
   *
   * @param bootstrapServers Kafka, for bronze's lag; null to skip it
   */
  public static Report of(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      String bootstrapServers,
      Map<String, String> kafkaConf) {
    Map<String, Row> lastBatches = new HashMap<>();
    List<Failure> failures = new ArrayList<>();
    List<Restart> restarts = new ArrayList<>();
    if (DeltaTable.isDeltaTable(spark, lake.system(EventLog.TABLE))) {
      Dataset<Row> events = EventLog.read(spark, lake);
      for (Row r :
          events
              .where(col("kind").equalTo(Event.BATCH))
              .groupBy("target")
              .agg(
                  max(org.apache.spark.sql.functions.struct(
                          col("event_time"), col("batch_id"), col("rows_in"), col("rows_out")))
                      .as("last"))
              .collectAsList()) {
        lastBatches.put(r.getString(0), r.getStruct(1));
      }
      for (Row r : recent(events, Event.FAILURE, "job")) {
        failures.add(new Failure(r.getTimestamp(0).toInstant(), r.getString(1), r.getString(2)));
      }
      for (Row r : recent(events, Event.RESTART, "target")) {
        restarts.add(new Restart(r.getTimestamp(0).toInstant(), r.getString(1), r.getString(2)));
      }
    }
    boolean kafkaReachable = bootstrapServers != null;
    List<TableStatus> tables = new ArrayList<>();
    for (BronzeTable t : pipeline.bronzeTables()) {
      String path = lake.table(Layer.BRONZE, t.name());
      Long lag = null;
      if (kafkaReachable) {
        try {
          lag = lag(spark, path, bootstrapServers, kafkaConf, t.source().topic());
        } catch (RuntimeException e) {
          kafkaReachable = false;
        }
      }
      tables.add(status(spark, t.qualifiedName(), path, lastBatches, lag));
    }
    for (var t : pipeline.silverTables()) {
      tables.add(
          status(spark, t.qualifiedName(), lake.table(Layer.SILVER, t.name()), lastBatches, null));
    }
    for (var t : pipeline.goldTables()) {
      tables.add(
          status(spark, t.qualifiedName(), lake.table(Layer.GOLD, t.name()), lastBatches, null));
    }
    return new Report(tables, failures, restarts, kafkaReachable);
  }

  private static TableStatus status(
      SparkSession spark, String name, String path, Map<String, Row> lastBatches, Long lag) {
    Instant updated = null;
    if (DeltaTable.isDeltaTable(spark, path)) {
      updated =
          DeltaTable.forPath(spark, path)
              .history(1)
              .select("timestamp")
              .first()
              .getTimestamp(0)
              .toInstant();
    }
    Row last = lastBatches.get(name);
    if (last == null) {
      return new TableStatus(name, updated, null, null, null, null, lag);
    }
    return new TableStatus(
        name,
        updated,
        last.isNullAt(1) ? null : last.getLong(1),
        last.getTimestamp(0).toInstant(),
        last.isNullAt(2) ? null : last.getLong(2),
        last.isNullAt(3) ? null : last.getLong(3),
        lag);
  }

  /** Records in Kafka beyond the highest offset bronze holds, over all partitions. */
  private static long lag(
      SparkSession spark,
      String path,
      String bootstrapServers,
      Map<String, String> kafkaConf,
      String topic) {
    Map<Integer, Long> latest = KafkaPreflight.latestOffsets(bootstrapServers, kafkaConf, topic);
    Map<Integer, Long> landed = BronzeIngestion.nextOffsets(spark, path, topic);
    long lag = 0;
    for (Map.Entry<Integer, Long> e : latest.entrySet()) {
      lag += Math.max(0, e.getValue() - landed.getOrDefault(e.getKey(), 0L));
    }
    return lag;
  }
}
