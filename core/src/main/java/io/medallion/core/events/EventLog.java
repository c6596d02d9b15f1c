package io.medallion.core.events;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.SystemTables;
import io.medallion.core.spark.ProgressReporter;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The platform's event log: a Delta table ({@code <lake>/_system/events}, {@code _system.events} in
 * SQL) of what the platform did: every micro-batch of every query, every rule's result per batch,
 * maintenance, replays and backfills, failures.
 *
 * <p>Events are buffered and appended every {@value #FLUSH_SECONDS} s and when the job ends, one
 * Delta commit per flush, so that the log costs the pipeline little. It is an observability record,
 * not part of the data's guarantees: a {@code kill -9} loses the events of the last seconds, and a
 * failure to write the log is reported and never stops the pipeline.
 */
public final class EventLog implements EventSink, AutoCloseable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "events";

  static final int FLUSH_SECONDS = 10;

  /** The table's columns. */
  public static final StructType SCHEMA =
      new StructType()
          .add("event_id", DataTypes.StringType, false)
          .add("event_time", DataTypes.TimestampType, false)
          .add("event_date", DataTypes.DateType, false)
          .add("kind", DataTypes.StringType, false)
          .add("job", DataTypes.StringType)
          .add("run_id", DataTypes.StringType)
          .add("target", DataTypes.StringType)
          .add("batch_id", DataTypes.LongType)
          .add("rows_in", DataTypes.LongType)
          .add("rows_out", DataTypes.LongType)
          .add("duration_ms", DataTypes.LongType)
          .add("start_offsets", DataTypes.StringType)
          .add("end_offsets", DataTypes.StringType)
          .add("lag", DataTypes.LongType)
          .add("watermark", DataTypes.StringType)
          .add("status", DataTypes.StringType)
          .add("message", DataTypes.StringType)
          .add("details", DataTypes.StringType);

  /** Rows written per (query, batch), reported by the writers, picked up by the listener. */
  private final Map<String, Long> output = new ConcurrentHashMap<>();

  private final SparkSession spark;
  private final LakeLayout lake;
  private final String job;
  private final String runId = UUID.randomUUID().toString();
  private final ConcurrentLinkedQueue<Row> pending = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService flusher;
  private final Listener listener = new Listener();
  private volatile boolean warned;

  private EventLog(SparkSession spark, LakeLayout lake, String job) {
    this.spark = spark;
    this.lake = lake;
    this.job = job;
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "medallion-event-log");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the log for a job: creates the table if needed, listens to the session's streaming
   * queries, and flushes every few seconds until {@link #close}.
   *
   * @param job the command, such as {@code run} or {@code maintain}
   */
  public static EventLog open(SparkSession spark, LakeLayout lake, String job) {
    EventLog log = new EventLog(spark, lake, job);
    ensureTable(spark, lake);
    spark.streams().addListener(log.listener);
    log.flusher.scheduleWithFixedDelay(
        log::flushQuietly, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS);
    return log;
  }

  /** Creates the table unless it exists. */
  public static void ensureTable(SparkSession spark, LakeLayout lake) {
    SystemTables.create(
        spark,
        lake.system(TABLE),
        table ->
            table
                .addColumns(SCHEMA)
                .partitionedBy("event_date")
                .comment(
                    "What the platform did: batches, rule results, maintenance, replays, failures"));
  }

  /** The log as a table. */
  public static Dataset<Row> read(SparkSession spark, LakeLayout lake) {
    return spark.read().format("delta").load(lake.system(TABLE));
  }

  /** Tells the log how many rows a query's batch wrote, for its batch event. */
  @Override
  public void output(String query, long batchId, long rows) {
    output.put(query + "#" + batchId, rows);
  }

  /** The id of this job's run, in every event it logs. */
  public String runId() {
    return runId;
  }

  /** Adds an event; it is written at the next flush. */
  @Override
  public void add(Event e) {
    Instant now = Instant.now();
    pending.add(
        RowFactory.create(
            UUID.randomUUID().toString(),
            Timestamp.from(now),
            Date.valueOf(LocalDate.ofInstant(now, ZoneOffset.UTC)),
            e.kind(),
            job,
            runId,
            e.target(),
            e.batchId(),
            e.rowsIn(),
            e.rowsOut(),
            e.durationMs(),
            e.startOffsets(),
            e.endOffsets(),
            e.lag(),
            e.watermark(),
            e.status(),
            e.message(),
            e.details()));
  }

  /** Writes the pending events now, in one commit. */
  public synchronized void flush() {
    List<Row> rows = new ArrayList<>();
    for (Row r = pending.poll(); r != null; r = pending.poll()) {
      rows.add(r);
    }
    if (rows.isEmpty()) {
      return;
    }
    try {
      DeltaWriter.appendRows(spark, rows, SCHEMA, lake.system(TABLE));
    } catch (Exception e) { // Scala code throws checked exceptions undeclared
      pending.addAll(rows);
      throw e;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (Exception e) { // Scala code throws checked exceptions undeclared
      if (spark.sparkContext().isStopped()) {
        System.err.println(
            "medallion: the session stopped before the event log was written; "
                + pending.size()
                + " events were not recorded");
        return;
      }
      if (!warned) {
        warned = true;
        System.err.println(
            "medallion: cannot write the event log at "
                + lake.system(TABLE)
                + " (the pipeline goes on): "
                + e.getMessage());
      }
    }
  }

  /** Stops listening and writes what is pending. */
  @Override
  public void close() {
    spark.streams().removeListener(listener);
    flusher.shutdown();
    try {
      flusher.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushQuietly();
  }

  /** Turns each micro-batch that read rows into a batch event. */
  private final class Listener extends StreamingQueryListener {
    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      StreamingQueryProgress p = event.progress();
      if (p.numInputRows() == 0) {
        return;
      }
      String name = p.name() == null ? p.id().toString() : p.name();
      StringBuilder start = new StringBuilder();
      StringBuilder end = new StringBuilder();
      long lag = 0;
      for (SourceProgress s : p.sources()) {
        start.append(start.length() == 0 ? "" : ",").append(s.startOffset());
        end.append(end.length() == 0 ? "" : ",").append(s.endOffset());
        lag += ProgressReporter.offsetsBehind(s.endOffset(), s.latestOffset());
      }
      Long out = output.remove(name + "#" + p.batchId());
      Object duration = p.durationMs().get("triggerExecution");
      add(
          new io.medallion.core.events.Event(
              io.medallion.core.events.Event.BATCH,
              name,
              p.batchId(),
              p.numInputRows(),
              out,
              duration == null ? null : ((Number) duration).longValue(),
              start.toString(),
              end.toString(),
              Math.max(0, lag),
              p.eventTime().get("watermark"),
              io.medallion.core.events.Event.OK,
              null,
              null));
    }

    @Override
    public void onQueryIdle(QueryIdleEvent event) {}

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
      // The job logs the failure with its explanation (see failure()).
    }
  }
}
