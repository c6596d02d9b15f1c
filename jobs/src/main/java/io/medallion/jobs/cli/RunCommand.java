package io.medallion.jobs.cli;

import io.medallion.bronze.IngestOptions;
import io.medallion.bronze.KafkaPreflight;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.jobs.catalog.CatalogSync;
import io.medallion.jobs.catalog.CatalogTarget;
import io.medallion.jobs.run.PipelineRunner;
import java.io.PrintWriter;
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
    Pipeline pipeline =
        common
            .pipeline()
            .with(
                new Overrides(
                    CommonOptions.triggerInterval(triggerInterval),
                    Optional.empty(),
                    Optional.empty(),
                    allowDataLoss));
    LakeLayout lake = common.lake();
    CatalogTarget catalogTarget = common.catalog();
    IngestOptions options = new IngestOptions(common.bootstrapServers(), common.kafkaConf(), once);
    List<BronzeTable> bronze = pipeline.bronzeTables();
    KafkaPreflight.check(
        options.bootstrapServers(),
        options.kafkaConf(),
        bronze.stream().map(t -> t.source().topic()).toList());
    SparkSession spark = SparkSessions.getOrCreate("medallion-run", common.sparkConf());
    PrintWriter out = common.out();
    long start = System.nanoTime();
    try (CatalogSync catalog = catalogTarget.start(spark, pipeline.tables(), common.out())) {
      new PipelineRunner(spark, pipeline, lake).run(options, out);
    }
    if (!LakehouseCommand.shuttingDown()) {
      out.printf("Ran the pipeline in %.1f s%n", (System.nanoTime() - start) / 1e9);
      SilverSummary.print(spark, lake, pipeline.silverTables(), out);
    }
    return 0;
  }
}
