package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.STAGE_TIMEOUT;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.error.MedallionException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.StartingOffsets;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.GeneratorSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * {@code scale}: how the cost of one micro-batch grows with the tables. For each table size N of
 * {@code --scale-rows}, smallest first, with the fact tables (bronze and silver) of one fresh lake
 * filled up to N rows on the same dates as the new events (the busy-day case), it measures the
 * latency of one micro-batch of {@value #BATCH_EVENTS} events through bronze, silver and gold,
 * {@code repeat} times, and reports the median per layer.
 *
 * <p>A layer's batch latency is the longest of its queries' batch durations (Spark's {@code
 * triggerExecution} of the batches that read rows): the layer's queries run side by side, and the
 * batch has passed the layer when the slowest is done. Query start-up is not part of it.
 *
 * <p>The rows are written to Delta directly, as copies of the rows a table holds (at first those of
 * one batch of real events) under fresh keys, and committed with {@code dataChange=false}: the
 * tables hold them, but no streaming reader downstream reads them as new rows. Gold is then rebuilt
 * whole once, so that it agrees with silver before the measured batches: a table that recomputes
 * its slices by a backfill, one kept by merging through a new checkpoint, whose first batch reads
 * every row silver holds (and its distinct members' state learns them).
 */
final class ScaleStage {
  /** Events per measured micro-batch. */
  static final long BATCH_EVENTS = 10_000;

  /** The layers measured, in order. */
  static final List<String> LAYERS = List.of("bronze", "silver", "gold");

  private final StageContext context;
  private final SparkSession spark;

  ScaleStage(StageContext context) {
    this.context = context;
    this.spark = context.spark();
  }

  /**
   * Measures every size of {@code --scale-rows} in turn.
   *
   * @param dir where the lake goes
   */
  Sample run(Path dir) throws Exception {
    long start = System.nanoTime();
    long events = 0;
    Map<String, Object> latencies = new LinkedHashMap<>();
    Map<String, Object> held = new LinkedHashMap<>();
    Map<String, Object> rounds = new LinkedHashMap<>();
    Map<String, Object> read = new LinkedHashMap<>();
    Map<String, Object> queryLatencies = new LinkedHashMap<>();
    long seed = context.settings().seed() * 1_000;
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline =
        context
            .pipeline()
            .with(
                new Overrides(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(StartingOffsets.LATEST),
                    false));
    // Bronze's checkpoints start at Kafka's end, so that each later run reads only the batch
    // produced for it; silver and gold start on what the first batch landed.
    layer(() -> bronze(pipeline, lake));
    produce(++seed);
    runLayers(pipeline, lake);
    for (long size : context.settings().scaleRows()) {
      held.put(label(size), populate(pipeline, lake, size));
      List<Map<String, LayerRun>> measured = new ArrayList<>();
      for (int r = 0; r < context.settings().repeat(); r++) {
        produce(++seed);
        events += BATCH_EVENTS;
        Map<String, LayerRun> latency = runLayers(pipeline, lake);
        context
            .out()
            .printf(
                "    %s rows held, batch %d: bronze %.2f s, silver %.2f s, gold %.2f s (slowest"
                    + " %s)%n",
                label(size),
                r + 1,
                latency.get("bronze").seconds(),
                latency.get("silver").seconds(),
                latency.get("gold").seconds(),
                latency.get("gold").slowest());
        context.out().flush();
        measured.add(latency);
      }
      Map<String, Object> median = new LinkedHashMap<>();
      Map<String, Object> all = new LinkedHashMap<>();
      Map<String, Object> rowsRead = new LinkedHashMap<>();
      Map<String, Object> perQuery = new java.util.TreeMap<>();
      for (String layer : LAYERS) {
        for (String query : measured.get(0).get(layer).queries().keySet()) {
          List<Double> values =
              measured.stream()
                  .map(m -> m.get(layer).queries().getOrDefault(query, 0.0))
                  .sorted()
                  .toList();
          perQuery.put(query, values.get((values.size() - 1) / 2));
        }
        List<Double> values = measured.stream().map(m -> m.get(layer).seconds()).sorted().toList();
        median.put(layer, values.get((values.size() - 1) / 2));
        all.put(layer, measured.stream().map(m -> m.get(layer).seconds()).toList());
        rowsRead.put(layer, measured.stream().mapToLong(m -> m.get(layer).rows()).sum());
      }
      latencies.put(label(size), median);
      rounds.put(label(size), all);
      read.put(label(size), rowsRead);
      queryLatencies.put(label(size), perQuery);
    }
    context.forget(dir);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("batch_events", BATCH_EVENTS);
    detail.put("rows_held", held);
    detail.put("batch_latency_s", latencies);
    detail.put("batch_latency_rounds_s", rounds);
    // What the measured batches read per layer: only their own events, none of the rows held.
    detail.put("rows_read", read);
    // Each query's median batch latency: a layer's is its slowest query's.
    detail.put("query_latency_s", queryLatencies);
    return new Sample(events, StageContext.seconds(start), 0, 0, detail);
  }

  /** {@code 1000000} as {@code 1M}, {@code 10000} as {@code 10k}; other sizes as they are. */
  static String label(long rows) {
    if (rows >= 1_000_000 && rows % 1_000_000 == 0) {
      return rows / 1_000_000 + "M";
    }
    if (rows >= 1_000 && rows % 1_000 == 0) {
      return rows / 1_000 + "k";
    }
    return String.valueOf(rows);
  }

  private void produce(long seed) {
    EventProducer.Report produced =
        EventProducer.run(
            context.servers(),
            context.kafkaConf(),
            new GeneratorSettings(
                BATCH_EVENTS, seed, 0.01, 0.02, 0.02, Instant.now(), 0, 1000, 50_000),
            context.topics());
    if (produced.failed() > 0) {
      throw new MedallionException(
          produced.failed() + " of the scale stage's sends were not acknowledged.",
          "Check the broker's log in the benchmark's kafka directory, then run again.");
    }
  }

  /** Runs bronze, silver and gold once over what is new; returns each layer's run. */
  private Map<String, LayerRun> runLayers(Pipeline pipeline, LakeLayout lake) throws Exception {
    Map<String, LayerRun> latency = new LinkedHashMap<>();
    latency.put("bronze", layer(() -> bronze(pipeline, lake)));
    latency.put(
        "silver",
        layer(
            // A table holding its keys in state also reads the rows it gained: not what it refines.
            lake.root() + "/silver/",
            () ->
                new SilverRefinement(spark, lake, pipeline.quarantineMaintenance())
                    .startAll(pipeline.silverTables(), true, EventSink.NONE)));
    latency.put(
        "gold",
        layer(
            () ->
                new GoldAggregation(spark, lake, pipeline.tables())
                    .startAll(pipeline.goldTables(), true, EventSink.NONE)));
    return latency;
  }

  /**
   * A layer's batch latency (its slowest query's), the rows its queries read, and each query's
   * latency by name.
   */
  private record LayerRun(double seconds, long rows, Map<String, Double> queries) {
    /** The name of the slowest query. */
    String slowest() {
      return queries.entrySet().stream()
          .max(Map.Entry.comparingByValue())
          .map(Map.Entry::getKey)
          .orElse("-");
    }
  }

  private List<RunningQuery> bronze(Pipeline pipeline, LakeLayout lake) {
    return new BronzeIngestion(
            spark, lake, new IngestOptions(context.servers(), context.kafkaConf(), true))
        .startAll(pipeline.bronzeTables(), EventSink.NONE);
  }

  private static LayerRun layer(Supplier<List<RunningQuery>> start) throws Exception {
    return layer(null, start);
  }

  /**
   * Runs a layer's queries to the end; its rows read leave out those of sources whose description
   * holds {@code ownTables} (null: none left out).
   */
  private static LayerRun layer(String ownTables, Supplier<List<RunningQuery>> start)
      throws Exception {
    List<RunningQuery> queries = start.get();
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    double longest = 0;
    long rows = 0;
    Map<String, Double> perQuery = new java.util.TreeMap<>();
    for (RunningQuery q : queries) {
      long millis = 0;
      for (StreamingQueryProgress p : q.query().recentProgress()) {
        if (p.numInputRows() > 0) {
          millis += p.durationMs().getOrDefault("triggerExecution", 0L);
          rows += ownTables == null ? p.numInputRows() : StageContext.rowsFrom(p, ownTables);
        }
      }
      longest = Math.max(longest, millis / 1000.0);
      perQuery.put(q.query().name(), millis / 1000.0);
    }
    return new LayerRun(longest, rows, perQuery);
  }

  /**
   * Fills every fact table (silver append tables and the bronze tables they read) up to {@code
   * size} rows with copies of its rows under fresh keys, then recomputes gold whole.
   *
   * @return the rows each filled table holds, by qualified name
   */
  private Map<String, Object> populate(Pipeline pipeline, LakeLayout lake, long size)
      throws Exception {
    Map<String, Object> held = new LinkedHashMap<>();
    for (SilverTable fact : context.factTables()) {
      String bronze = lake.table(Layer.BRONZE, fact.source().name());
      if (!held.containsKey(fact.source().qualifiedName())) {
        held.put(fact.source().qualifiedName(), fill(bronze, size, List.of()));
      }
      held.put(
          fact.qualifiedName(),
          fill(lake.table(Layer.SILVER, fact.name()), size, fact.write().keys()));
    }
    GoldAggregation gold = new GoldAggregation(spark, lake, pipeline.tables());
    List<GoldTable> merged = new ArrayList<>();
    for (GoldTable table : pipeline.goldTables()) {
      if (gold.whyRecomputed(table).isEmpty()) {
        // A backfill would rebuild it as its merged batches read silver, without the copies.
        gold.fullRefresh(table);
        merged.add(table);
      } else {
        gold.backfill(table, Optional.empty(), Optional.empty());
      }
    }
    if (!merged.isEmpty()) {
      StreamRunner.awaitAll(
          gold.startAll(merged, true, EventSink.NONE), () -> false, STAGE_TIMEOUT);
    }
    return held;
  }

  /**
   * Appends copies of a table's rows, keys made unique per copy, until it holds at least {@code
   * size}.
   */
  private long fill(String path, long size, List<String> keys) {
    Dataset<Row> rows = spark.read().format("delta").load(path);
    long now = rows.count();
    if (now == 0) {
      throw new MedallionException(
          "The scale stage's first batch left " + path + " empty, so there is nothing to copy.",
          "Check that the generator writes the topic this table reads.");
    }
    if (now >= size) {
      return now;
    }
    // Whole copies: the table ends up holding size rows, or up to one copy more.
    long copies = (size - now + now - 1) / now;
    // The copy numbers are the small side: the table (at 10M, the 1M rows of the last fill) is
    // never broadcast, and the write runs in as many tasks as the table has files.
    Dataset<Row> copy =
        rows.crossJoin(broadcast(spark.range(1, copies + 1).withColumnRenamed("id", "__c")));
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = col("`" + f.name() + "`");
      if (keys.contains(f.name())) {
        if (!f.dataType().equals(DataTypes.StringType)) {
          throw new MedallionException(
              "The scale stage copies rows under fresh keys and supports string keys only; "
                  + f.name()
                  + " of "
                  + path
                  + " is "
                  + f.dataType().simpleString()
                  + ".",
              "Run the scale stage on a pipeline whose append tables have string keys.");
        }
        // The size in the suffix keeps the copies of one fill apart from those of the last.
        c = concat(c, lit("~" + size + "-"), col("__c").cast(DataTypes.StringType));
      }
      columns.add(c.as(f.name()));
    }
    copy.select(columns.toArray(Column[]::new))
        .write()
        .format("delta")
        .mode("append")
        // Held by the table, but not new rows to any streaming reader downstream.
        .option("dataChange", "false")
        .save(path);
    return spark.read().format("delta").load(path).count();
  }
}
