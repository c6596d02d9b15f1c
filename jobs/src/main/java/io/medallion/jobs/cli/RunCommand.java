package io.medallion.jobs.cli;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.bronze.KafkaPreflight;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lakehouse run}: bronze and silver together. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the pipeline's layers together: Kafka to bronze, bronze to silver, silver to gold.",
      "Continuous by default (Ctrl-C stops after the current micro-batches); --once lands what"
          + " Kafka holds, refines it, aggregates it, and stops."
    })
public final class RunCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--once", description = "Process everything available, then stop.")
  boolean once;

  @Option(
      names = "--trigger-interval",
      paramLabel = "DURATION",
      description = "Continuous trigger interval of every query, such as 5s (default: the spec's).")
  String triggerInterval;

  @Option(
      names = "--allow-data-loss",
      description = "Continue past offsets Kafka no longer has instead of stopping.")
  boolean allowDataLoss;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    LakeLayout lake = common.lake();
    Optional<Duration> interval = RefineCommand.interval(triggerInterval);
    IngestOptions options =
        new IngestOptions(
            common.bootstrapServers(),
            common.kafkaConf(),
            once,
            interval,
            Optional.empty(),
            Optional.empty(),
            allowDataLoss);
    List<BronzeTable> bronze = pipeline.bronzeTables();
    KafkaPreflight.check(
        options.bootstrapServers(),
        options.kafkaConf(),
        bronze.stream().map(t -> t.source().topic()).toList());
    SparkSession spark = SparkSessions.getOrCreate("medallion-run", common.sparkConf());
    long start = System.nanoTime();
    run(spark, pipeline, lake, options, interval);
    if (!LakehouseCommand.shuttingDown()) {
      System.out.printf("Ran the pipeline in %.1f s%n", (System.nanoTime() - start) / 1e9);
      SilverSummary.print(spark, lake, pipeline.silverTables(), System.out);
    }
    return 0;
  }

  /**
   * Runs every layer. With --once, one layer after the other, so that each sees all that the one
   * before it wrote; continuously, all queries at once.
   */
  static void run(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      IngestOptions options,
      Optional<Duration> interval) {
    if (options.once()) {
      BronzeIngestion ingestion = new BronzeIngestion(spark, lake, options);
      SilverRefinement refinement = new SilverRefinement(spark, pipeline, lake);
      GoldAggregation aggregation = new GoldAggregation(spark, pipeline, lake);
      QueryRun.run(
          spark,
          lake,
          "run",
          () -> ingestion.startAll(pipeline.bronzeTables(), pipeline.maintenance()),
          System.out);
      if (!LakehouseCommand.shuttingDown() && !pipeline.silverTables().isEmpty()) {
        QueryRun.run(
            spark,
            lake,
            "run",
            () -> refinement.startAll(pipeline.silverTables(), true, interval),
            System.out);
      }
      if (!LakehouseCommand.shuttingDown() && !pipeline.goldTables().isEmpty()) {
        QueryRun.run(
            spark,
            lake,
            "run",
            () -> aggregation.startAll(pipeline.goldTables(), true, interval),
            System.out);
      }
      return;
    }
    QueryRun.run(
        spark,
        lake,
        "run",
        () -> startContinuous(spark, pipeline, lake, options, interval),
        System.out);
  }

  /**
   * Starts every layer's queries continuously; if one fails to start, stops those it started.
   *
   * @return the running queries, bronze first
   */
  public static List<RunningQuery> startContinuous(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      IngestOptions options,
      Optional<Duration> interval) {
    BronzeIngestion ingestion = new BronzeIngestion(spark, lake, options);
    SilverRefinement refinement = new SilverRefinement(spark, pipeline, lake);
    GoldAggregation aggregation = new GoldAggregation(spark, pipeline, lake);
    List<RunningQuery> queries =
        new ArrayList<>(ingestion.startAll(pipeline.bronzeTables(), pipeline.maintenance()));
    try {
      queries.addAll(refinement.startAll(pipeline.silverTables(), false, interval));
      queries.addAll(aggregation.startAll(pipeline.goldTables(), false, interval));
    } catch (RuntimeException e) {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      throw e;
    }
    return queries;
  }
}
