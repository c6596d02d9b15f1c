package io.medallion.silver;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.CheckpointGuard;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spark.StreamingJobStarter;
import io.medallion.core.spark.StreamingTableJob;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.OnFailure;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Refines bronze into silver: one streaming query and one checkpoint per silver table, reading its
 * bronze table incrementally as a Delta stream and refining each micro-batch in {@code
 * foreachBatch} with a {@link TableRefiner}.
 */
public final class SilverRefinement {
  private final SparkSession spark;
  private final LakeLayout lake;
  private final MaintenancePolicy quarantineMaintenance;
  private final DeltaWriter writer;

  /** Column changes a rebuild made before its job started, to record in that job's event log. */
  private final Map<String, List<String>> rebuiltColumns = new ConcurrentHashMap<>();

  /**
   * @param quarantineMaintenance the maintenance policy of {@code silver.quarantine}, which every
   *     table's refinement writes to (null: leave the table as it is)
   */
  public SilverRefinement(
      SparkSession spark, LakeLayout lake, MaintenancePolicy quarantineMaintenance) {
    this(spark, lake, quarantineMaintenance, DeltaWriter.standard());
  }

  /**
   * @param writer how the refiners write (its retry policy and fault hook)
   */
  public SilverRefinement(
      SparkSession spark,
      LakeLayout lake,
      MaintenancePolicy quarantineMaintenance,
      DeltaWriter writer) {
    this.spark = spark;
    this.lake = lake;
    this.quarantineMaintenance = quarantineMaintenance;
    this.writer = writer;
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
    TableRefiner refiner = new TableRefiner(table, lake, writer);
    refiner.prepare(spark);
    return refiner;
  }

  /**
   * Like {@link #prepare(SilverTable)} for a table about to be rebuilt ({@link #reset}): a table
   * whose columns no longer fit the spec is emptied and given the spec's columns instead of being
   * refused.
   */
  public TableRefiner prepareRebuild(SilverTable table) {
    TableRefiner refiner = new TableRefiner(table, lake, writer);
    refiner.prepare(spark, true);
    if (!refiner.schemaChanges().isEmpty()) {
      rebuiltColumns.put(table.qualifiedName(), refiner.schemaChanges());
    }
    return refiner;
  }

  /**
   * Prepares every table first (so a mistake in any stops the job before data is touched), then
   * starts one query per table. If one fails to start, those already started are stopped.
   *
   * @param once process what bronze holds now, then stop; else run at each table's interval
   * @param events where the batches record what they did, and a table's column changes
   */
  public List<RunningQuery> startAll(List<SilverTable> tables, boolean once, EventSink events) {
    return new StreamingJobStarter(spark, events, writer.faults())
        .startAll(tables.stream().map(t -> new Job(t, events)).toList(), once);
  }

  /** Refining one silver table from its bronze table, batch by batch. */
  private final class Job implements StreamingTableJob {
    private final SilverTable table;
    private final EventSink events;
    private TableRefiner refiner;

    Job(SilverTable table, EventSink events) {
      this.table = table;
      this.events = events;
    }

    @Override
    public String name() {
      return queryName(table);
    }

    @Override
    public String checkpoint() {
      return SilverRefinement.this.checkpoint(table);
    }

    @Override
    public String target() {
      return lake.table(Layer.SILVER, table.name());
    }

    @Override
    public MaintenancePolicy maintenance() {
      return table.maintenance();
    }

    @Override
    public Duration triggerInterval() {
      return table.triggerInterval();
    }

    @Override
    public OnFailure onFailure() {
      return table.onFailure();
    }

    @Override
    public void prepare(SparkSession session) {
      refiner = SilverRefinement.this.prepare(table);
      List<String> changes = new ArrayList<>();
      changes.addAll(rebuiltColumns.getOrDefault(table.qualifiedName(), List.of()));
      changes.addAll(refiner.schemaChanges());
      if (!changes.isEmpty()) {
        events.add(Event.schemaChange(table.qualifiedName(), changes));
        rebuiltColumns.remove(table.qualifiedName());
      }
    }

    /** The quarantine every table writes to is created by now: its compaction is set here. */
    @Override
    public void beforeStart(SparkSession session, boolean once) {
      if (!DeltaTable.isDeltaTable(spark, bronze())) {
        throw new MedallionException(
            table.source().qualifiedName()
                + " does not exist yet at "
                + bronze()
                + ", so "
                + table.qualifiedName()
                + " has nothing to read.",
            "Land it first: ./lakehouse ingest --once (or ./lakehouse run, which does both).");
      }
      TableMaintenance.applyAutoCompaction(
          spark, QuarantineTable.path(lake), quarantineMaintenance);
    }

    private String bronze() {
      return lake.table(Layer.BRONZE, table.source().name());
    }

    @Override
    public CheckpointGuard.Query definition() {
      Write write = table.write();
      Map<String, String> definition = new TreeMap<>();
      definition.put("source", table.source().qualifiedName());
      definition.put("write.mode", write.mode().name());
      definition.put("write.keys", String.join(",", write.keys()));
      definition.put("write.sequence_by", String.valueOf(write.sequenceBy()));
      if (write.keysInState()) {
        // The query's plan gains the key state: a checkpoint made without it cannot take it. A
        // longer horizon would trust a state that has already let keys go.
        definition.put("write.event_time", write.eventTime());
        definition.put("write.dedupe_within", write.dedupeWithin().toString());
      }
      return new CheckpointGuard.Query(
          table.qualifiedName(),
          checkpoint(),
          lake.system(SilverRecords.RECONCILIATION),
          definition,
          "Rebuild the table from all of bronze: ./lakehouse refine --full-refresh --table "
              + table.name()
              + " (it clears the table's rows, quarantined rows and records first).",
          // Its records, not Delta's transaction ids: a full refresh deletes the records.
          () ->
              DeltaTable.isDeltaTable(spark, lake.system(SilverRecords.RECONCILIATION))
                  && !SilverRecords.reconciliation(spark, lake)
                      .where(col("table").equalTo(table.qualifiedName()))
                      .isEmpty());
    }

    @Override
    public Dataset<Row> source(SparkSession session, boolean checkpointLost) {
      Dataset<Row> bronze =
          spark
              .readStream()
              .format("delta")
              .option("maxFilesPerTrigger", table.maxFilesPerTrigger())
              .load(bronze());
      return refiner.markKeys(
          bronze,
          () ->
              spark
                  .readStream()
                  .format("delta")
                  // A backfill's rewrite of rows it already held adds no key the state lacks.
                  .option("skipChangeCommits", "true")
                  .load(target()));
    }

    /**
     * A processing-time key state asks for a batch at every trigger even without data (Spark 4.0),
     * which would refine nothing at every interval and keep a once run going: such a query runs
     * without them. Its timers then fire with the next batch of data, and a key held past its time
     * is still in the table.
     */
    @Override
    public Map<String, String> queryConf() {
      return table.write().keysInState()
          ? Map.of("spark.sql.streaming.noDataMicroBatches.enabled", "false")
          : Map.of();
    }

    @Override
    public void writeBatch(Dataset<Row> batch, BatchContext context) {
      refiner.refineStreamingBatch(batch, context);
    }
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
    String tombstones = lake.tombstones(table.name());
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
