package io.medallion.jobs.run;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a pipeline's layers, Kafka to bronze to silver to gold: what {@code lakehouse run} does, and
 * what the demo and the benchmark run.
 */
public final class PipelineRunner {
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final LakeLayout lake;

  public PipelineRunner(SparkSession spark, Pipeline pipeline, LakeLayout lake) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.lake = lake;
  }

  /**
   * Runs every layer until done (once) or stopped, with a line per micro-batch on {@code out}. With
   * {@code options.once()}, one layer after the other, so that each sees all that the one before it
   * wrote; continuously, all queries at once.
   */
  public void run(IngestOptions options, PrintWriter out) {
    if (!options.once()) {
      streams(events -> startContinuous(options, events), out);
      return;
    }
    BronzeIngestion ingestion = new BronzeIngestion(spark, lake, options);
    streams(events -> ingestion.startAll(pipeline.bronzeTables(), events), out);
    if (!OperationRun.stopRequested() && !pipeline.silverTables().isEmpty()) {
      SilverRefinement refinement =
          new SilverRefinement(spark, lake, pipeline.quarantineMaintenance());
      streams(events -> refinement.startAll(pipeline.silverTables(), true, events), out);
    }
    if (!OperationRun.stopRequested() && !pipeline.goldTables().isEmpty()) {
      GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
      streams(events -> aggregation.startAll(pipeline.goldTables(), true, events), out);
    }
  }

  /**
   * Starts every layer's queries continuously; if one fails to start, stops those it started.
   *
   * @param events where the queries' batches record what they did
   * @return the running queries, bronze first
   */
  public List<RunningQuery> startContinuous(IngestOptions options, EventSink events) {
    BronzeIngestion ingestion = new BronzeIngestion(spark, lake, options);
    SilverRefinement refinement =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance());
    GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
    List<RunningQuery> queries =
        new ArrayList<>(ingestion.startAll(pipeline.bronzeTables(), events));
    try {
      queries.addAll(refinement.startAll(pipeline.silverTables(), false, events));
      queries.addAll(aggregation.startAll(pipeline.goldTables(), false, events));
    } catch (RuntimeException e) {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      throw e;
    }
    return queries;
  }

  private void streams(Function<EventSink, List<RunningQuery>> start, PrintWriter out) {
    try (OperationRun op = OperationRun.open(spark, lake, "run")) {
      op.streams(start, out);
    }
  }
}
