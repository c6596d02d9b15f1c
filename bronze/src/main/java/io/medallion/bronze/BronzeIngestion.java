package io.medallion.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.delta.tables.DeltaTable;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.CheckpointGuard;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spark.StreamingJobStarter;
import io.medallion.core.spark.StreamingTableJob;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.OnFailure;
import io.medallion.core.spec.StartingOffsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;

/**
 * Lands Kafka records in bronze Delta tables, exactly once: one streaming query and one checkpoint
 * per table, each micro-batch appended with Delta's idempotent-write options so that a batch
 * replayed after a crash writes nothing twice.
 */
public final class BronzeIngestion {
  private final SparkSession spark;
  private final LakeLayout lake;
  private final IngestOptions options;
  private final DeltaWriter writer;

  /**
   * @param spark the session, with Delta enabled
   * @param lake where the tables and checkpoints go
   * @param options how to reach Kafka and how to run
   */
  public BronzeIngestion(SparkSession spark, LakeLayout lake, IngestOptions options) {
    this.spark = spark;
    this.lake = lake;
    this.options = options;
    this.writer = DeltaWriter.standard();
  }

  /** The streaming query's name for a bronze table: {@code bronze.<table>}. */
  public static String queryName(BronzeTable table) {
    return table.qualifiedName();
  }

  /** Creates the table with the bronze contract's schema if it does not exist yet. */
  public void createTable(BronzeTable table) {
    DeltaTable.createIfNotExists(spark)
        .location(lake.table(Layer.BRONZE, table.name()))
        .addColumns(BronzeContract.SCHEMA)
        .partitionedBy(BronzeContract.PARTITION_COLUMN)
        .comment("Raw records of Kafka topic " + table.source().topic() + ", exactly once.")
        .property("delta.appendOnly", "true")
        .execute();
  }

  /** Starts the query that lands {@code table}; it runs until stopped, or once with --once. */
  public StreamingQuery start(BronzeTable table) {
    return startAll(List.of(table), EventSink.NONE).get(0).query();
  }

  /**
   * Creates every table and gives it its maintenance policy's auto compaction before any query
   * starts, then starts one query per table; if one fails to start, those already started are
   * stopped. A table without a policy is left as it is.
   *
   * @param events where the batches record what they wrote
   */
  public List<RunningQuery> startAll(List<BronzeTable> tables, EventSink events) {
    return new StreamingJobStarter(spark, events, writer.faults())
        .startAll(tables.stream().map(Job::new).toList(), options.once());
  }

  /** Landing one topic in its bronze table, append only, exactly once. */
  private final class Job implements StreamingTableJob {
    private final BronzeTable table;

    Job(BronzeTable table) {
      this.table = table;
    }

    @Override
    public String name() {
      return queryName(table);
    }

    @Override
    public String checkpoint() {
      return lake.checkpoint(Layer.BRONZE, table.name());
    }

    @Override
    public String target() {
      return lake.table(Layer.BRONZE, table.name());
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
      createTable(table);
    }

    @Override
    public CheckpointGuard.Query definition() {
      return new CheckpointGuard.Query(
          name(), checkpoint(), target(), Map.of("topic", table.source().topic()), "");
    }

    @Override
    public Dataset<Row> source(SparkSession session, boolean checkpointLost) {
      return kafkaReader(
              table,
              checkpointLost ? Optional.of(resumeOffsets(table, target())) : Optional.empty())
          .load();
    }

    /**
     * Appends one micro-batch. The write carries (query id, batch id) as Delta's transaction id: if
     * this batch was committed before a crash, Delta skips it when the restarted query replays it.
     */
    @Override
    public void writeBatch(Dataset<Row> batch, BatchContext context) {
      writer.appendOnce(
          asBronze(batch, context.batchId()), target(), context.appId(), context.batchId());
    }
  }

  /**
   * Where a bronze query whose checkpoint was lost goes on: right after the highest offset its
   * table holds for each partition, since bronze keeps every record's coordinates. Partitions the
   * table has nothing of start where the spec says a new query starts.
   */
  private String resumeOffsets(BronzeTable table, String path) {
    String topic = table.source().topic();
    Map<Integer, Long> next = nextOffsets(spark, path, topic);
    int partitions =
        KafkaPreflight.partitions(options.bootstrapServers(), options.kafkaConf(), topic);
    long otherwise = table.startingOffsets().mode() == StartingOffsets.Mode.LATEST ? -1L : -2L;
    Map<Integer, Long> resume = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      resume.put(p, next.getOrDefault(p, otherwise));
    }
    String offsets = offsetsJson(topic, resume);
    System.err.println(
        "medallion: bronze."
            + table.name()
            + " has rows but no checkpoint; resuming from the offsets its table holds: "
            + offsets);
    return offsets;
  }

  /**
   * The offset after the highest one a bronze table holds, per partition of {@code topic}: where
   * reading that topic goes on. Partitions the table has nothing of are absent.
   */
  public static Map<Integer, Long> nextOffsets(SparkSession spark, String path, String topic) {
    Map<Integer, Long> next = new TreeMap<>();
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return next;
    }
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(path)
            .where(col(BronzeContract.TOPIC).equalTo(topic))
            .groupBy(BronzeContract.PARTITION)
            .agg(max(BronzeContract.OFFSET))
            .collectAsList()) {
      next.put(r.getInt(0), r.getLong(1) + 1);
    }
    return next;
  }

  /** Spark's Kafka offsets JSON for one topic: {@code {"topic":{"0":12,"1":40}}}. */
  static String offsetsJson(String topic, Map<Integer, Long> offsets) {
    StringBuilder json = new StringBuilder("{\"").append(topic).append("\":{");
    String sep = "";
    for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
      json.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    return json.append("}}").toString();
  }

  /**
   * @param resumeAt specific starting offsets (JSON), instead of the spec's starting position
   */
  private DataStreamReader kafkaReader(BronzeTable table, Optional<String> resumeAt) {
    Map<String, String> source = new HashMap<>();
    options.kafkaConf().forEach((k, v) -> source.put("kafka." + k, v));
    source.put("kafka.bootstrap.servers", options.bootstrapServers());
    source.put("subscribe", table.source().topic());
    source.put("includeHeaders", "true");
    source.put("maxOffsetsPerTrigger", String.valueOf(table.maxOffsetsPerTrigger()));
    source.put("failOnDataLoss", String.valueOf(table.failOnDataLoss()));
    StartingOffsets start = table.startingOffsets();
    if (resumeAt.isPresent()) {
      source.put("startingOffsets", resumeAt.get());
      return spark.readStream().format("kafka").options(source);
    }
    switch (start.mode()) {
      case EARLIEST -> source.put("startingOffsets", "earliest");
      case LATEST -> source.put("startingOffsets", "latest");
      case TIMESTAMP -> {
        source.put("startingTimestamp", String.valueOf(start.timestamp().toEpochMilli()));
        // Partitions with nothing at or after the timestamp start at their end, not with an error.
        source.put("startingOffsetsByTimestampStrategy", "latest");
      }
    }
    return spark.readStream().format("kafka").options(source);
  }

  /** Kafka source rows in the bronze contract's columns, landed now by batch {@code batchId}. */
  static Dataset<Row> asBronze(Dataset<Row> kafka, long batchId) {
    Instant now = Instant.now();
    return kafka.select(
        col("topic").as(BronzeContract.TOPIC),
        col("partition").as(BronzeContract.PARTITION),
        col("offset").as(BronzeContract.OFFSET),
        col("timestamp").as(BronzeContract.KAFKA_TIMESTAMP),
        col("key").as(BronzeContract.KEY),
        col("value").as(BronzeContract.VALUE),
        col("headers").as(BronzeContract.HEADERS),
        lit(now).as(BronzeContract.INGESTED_AT),
        lit(LocalDate.ofInstant(now, ZoneOffset.UTC)).as(BronzeContract.INGEST_DATE),
        lit(batchId).as(BronzeContract.BATCH_ID));
  }

  /** Reads a bronze table as a batch, for checks and for the demo's summary. */
  public static Dataset<Row> read(SparkSession spark, LakeLayout lake, String table) {
    return spark.read().format("delta").load(lake.table(Layer.BRONZE, table));
  }
}
