package io.medallion.jobs.cli;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.bronze.KafkaPreflight;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.StartingOffsets;
import io.medallion.jobs.catalog.CatalogSync;
import io.medallion.jobs.catalog.CatalogTarget;
import io.medallion.jobs.run.OperationRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lakehouse ingest}: Kafka to bronze, once or continuously. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Land Kafka records in bronze Delta tables, exactly once.",
      "Continuous by default (Ctrl-C stops after the current micro-batch); --once reads what is"
          + " available and stops."
    })
final class IngestCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--once", description = "Read everything available, then stop.")
  boolean once;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "TABLE",
      description = "Bronze tables to ingest (default: all in the spec).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--max-offsets-per-trigger",
      paramLabel = "N",
      description = "Most records per micro-batch (default: from the spec).")
  Long maxOffsetsPerTrigger;

  @Option(
      names = "--starting-offsets",
      paramLabel = "earliest|latest|INSTANT",
      description = "Where a table without a checkpoint starts (default: from the spec).")
  String startingOffsets;

  @Option(
      names = "--trigger-interval",
      paramLabel = "DURATION",
      description = "Continuous trigger interval such as 5s (default: from the spec).")
  String triggerInterval;

  @Option(
      names = "--allow-data-loss",
      description =
          "Continue past offsets Kafka no longer has instead of stopping (failOnDataLoss=false).")
  boolean allowDataLoss;

  @Override
  public Integer call() {
    LakeLayout lake = common.lake();
    CatalogTarget catalogTarget = common.catalog();
    Pipeline pipeline = common.pipeline().with(overrides());
    IngestOptions options = new IngestOptions(common.bootstrapServers(), common.kafkaConf(), once);
    List<BronzeTable> selected =
        Tables.select(tables, pipeline.bronzeTables(), BronzeTable::name, "bronze", pipeline);
    // Before Spark starts: its Kafka source would wait forever on a missing broker or topic.
    KafkaPreflight.check(
        options.bootstrapServers(),
        options.kafkaConf(),
        selected.stream().map(t -> t.source().topic()).toList());
    SparkSession spark = SparkSessions.getOrCreate("medallion-ingest", common.sparkConf());
    PrintWriter out = common.out();
    long start = System.nanoTime();
    Map<String, Long> rows;
    try (CatalogSync catalog = catalogTarget.start(spark, pipeline.tables(), common.out());
        OperationRun op = OperationRun.open(spark, lake, "ingest")) {
      rows =
          op.streams(
              events -> new BronzeIngestion(spark, lake, options).startAll(selected, events), out);
    }
    if (!LakehouseCommand.shuttingDown()) {
      out.printf("Ingested %s in %.1f s%n", rows, (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }

  private Overrides overrides() {
    Optional<StartingOffsets> start = Optional.empty();
    if (startingOffsets != null) {
      start =
          Optional.of(
              StartingOffsets.parse(startingOffsets)
                  .orElseThrow(
                      () ->
                          new OptionException(
                              "--starting-offsets '" + startingOffsets + "' is not a position.",
                              "Use earliest, latest or an instant like 2026-01-31T00:00:00Z.")));
    }
    Optional<Duration> interval = CommonOptions.triggerInterval(triggerInterval);
    if (maxOffsetsPerTrigger != null && maxOffsetsPerTrigger < 1) {
      throw new OptionException(
          "--max-offsets-per-trigger must be at least 1.", "Pass a positive number.");
    }
    return new Overrides(interval, Optional.ofNullable(maxOffsetsPerTrigger), start, allowDataLoss);
  }
}
