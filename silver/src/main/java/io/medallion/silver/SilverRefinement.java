package io.medallion.silver;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.CheckpointGuard;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Refines bronze into silver: one streaming query and one checkpoint per silver table, reading its
 * bronze table incrementally as a Delta stream and refining each micro-batch in {@code
 * foreachBatch} with a {@link TableRefiner}.
 */
public final class SilverRefinement {
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final LakeLayout lake;

  public SilverRefinement(SparkSession spark, Pipeline pipeline, LakeLayout lake) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.lake = lake;
  }

  /** The streaming query's name for a silver table: {@code silver.<table>}. */
  public static String queryName(SilverTable table) {
    return table.qualifiedName();
  }

  /**
   * Checks a table's SQL and rules against the real schemas and creates its tables; run for every
   * table before starting any, so that a mistake stops the job before data is touched.
   */
  public TableRefiner prepare(SilverTable table) {
    TableRefiner refiner = new TableRefiner(pipeline, table, lake);
    refiner.prepare(spark);
    return refiner;
  }

  /**
   * Starts the query that refines a prepared table.
   *
   * @param once process what bronze holds now, then stop
   * @param interval the continuous trigger's interval, if not the table's
   */
  public StreamingQuery start(TableRefiner refiner, boolean once, Optional<Duration> interval)
      throws TimeoutException {
    SilverTable table = refiner.table();
    String bronze = lake.table(Layer.BRONZE, table.source().name());
    if (!DeltaTable.isDeltaTable(spark, bronze)) {
      throw new MedallionException(
          table.source().qualifiedName()
              + " does not exist yet at "
              + bronze
              + ", so "
              + table.qualifiedName()
              + " has nothing to read.",
          "Land it first: ./lakehouse ingest --once (or ./lakehouse run, which does both).");
    }
    Write write = table.write();
    CheckpointGuard.prepare(
        spark,
        new CheckpointGuard.Query(
            table.qualifiedName(),
            checkpoint(table),
            lake.system(SilverRecords.RECONCILIATION),
            Map.of(
                "source", table.source().qualifiedName(),
                "write.mode", write.mode().name(),
                "write.keys", String.join(",", write.keys()),
                "write.sequence_by", String.valueOf(write.sequenceBy())),
            "Rebuild the table from all of bronze: ./lakehouse refine --full-refresh --table "
                + table.name()
                + " (it clears the table's rows, quarantined rows and records first).",
            // Its records, not Delta's transaction ids: a full refresh deletes the records.
            () ->
                DeltaTable.isDeltaTable(spark, lake.system(SilverRecords.RECONCILIATION))
                    && !SilverRecords.reconciliation(spark, lake)
                        .where(
                            org.apache
                                .spark
                                .sql
                                .functions
                                .col("table")
                                .equalTo(table.qualifiedName()))
                        .isEmpty()));
    VoidFunction2<Dataset<Row>, Long> refine =
        (batch, id) -> refiner.refineStreamingBatch(batch, id);
    return spark
        .readStream()
        .format("delta")
        .option("maxFilesPerTrigger", table.maxFilesPerTrigger())
        .load(bronze)
        .writeStream()
        .queryName(queryName(table))
        .option("checkpointLocation", checkpoint(table))
        .trigger(
            once
                ? Trigger.AvailableNow()
                : Trigger.ProcessingTime(interval.orElse(table.triggerInterval()).toMillis()))
        .foreachBatch(refine)
        .start();
  }

  /**
   * Prepares every table first (so a mistake in any stops the job before data is touched), then
   * starts one query per table. If one fails to start, those already started are stopped.
   */
  public List<RunningQuery> startAll(
      List<SilverTable> tables, boolean once, Optional<Duration> interval) {
    List<TableRefiner> refiners = tables.stream().map(this::prepare).toList();
    for (SilverTable table : tables) {
      TableMaintenance.applyAutoCompaction(
          spark,
          lake.table(Layer.SILVER, table.name()),
          pipeline.maintenance().get(table.qualifiedName()));
    }
    TableMaintenance.applyAutoCompaction(
        spark,
        QuarantineTable.path(lake),
        pipeline.maintenance().get("silver." + Pipeline.QUARANTINE_TABLE));
    return StreamRunner.startEach(
        refiners,
        refiner ->
            new RunningQuery(
                queryName(refiner.table()),
                checkpoint(refiner.table()),
                start(refiner, once, interval)));
  }

  /** The checkpoint of a silver table's query. */
  public String checkpoint(SilverTable table) {
    return lake.checkpoint(Layer.SILVER, table.name());
  }

  /**
   * Forgets what a table was refined from, so the next run rebuilds it from all of bronze: its
   * rows, its quarantined rows, its records and its checkpoint are removed. The table keeps its
   * Delta history. Run it while no query refines the table.
   */
  public void reset(SilverTable table) {
    String name = table.qualifiedName();
    String path = lake.table(Layer.SILVER, table.name());
    if (DeltaTable.isDeltaTable(spark, path)) {
      DeltaTable.forPath(spark, path).delete();
    }
    String tombstones = lake.system("silver_tombstones/" + table.name());
    if (DeltaTable.isDeltaTable(spark, tombstones)) {
      DeltaTable.forPath(spark, tombstones).delete();
    }
    deleteWhere(QuarantineTable.path(lake), QuarantineTable.SOURCE_TABLE, name);
    deleteWhere(lake.system(SilverRecords.RECONCILIATION), "table", name);
    deleteWhere(lake.system(SilverRecords.EXPECTATION_RESULTS), "table", name);
    Path checkpoint = new Path(checkpoint(table));
    try {
      checkpoint.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(checkpoint, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the checkpoint " + checkpoint, e);
    }
  }

  private void deleteWhere(String path, String column, String value) {
    if (DeltaTable.isDeltaTable(spark, path)) {
      DeltaTable.forPath(spark, path)
          .delete(org.apache.spark.sql.functions.col(column).equalTo(value));
    }
  }
}
