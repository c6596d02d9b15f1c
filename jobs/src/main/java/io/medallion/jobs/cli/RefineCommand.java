package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.jobs.catalog.CatalogSync;
import io.medallion.jobs.catalog.CatalogTarget;
import io.medallion.jobs.run.OperationRun;
import io.medallion.silver.SilverRefinement;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lakehouse refine}: bronze to silver, once or continuously, or a full rebuild. */
@Command(
    name = "refine",
    mixinStandardHelpOptions = true,
    description = {
      "Refine bronze into silver: parse, check expectations, quarantine rejects, deduplicate,"
          + " upsert.",
      "Continuous by default (Ctrl-C stops after the current micro-batch); --once processes what"
          + " bronze holds and stops; --full-refresh rebuilds tables from all of bronze."
    })
final class RefineCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--once", description = "Process everything new in bronze, then stop.")
  boolean once;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "TABLE",
      description = "Silver tables to refine (default: all in the spec).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--full-refresh",
      description =
          "Rebuild the tables from all of bronze: their rows, quarantined rows, records and"
              + " checkpoints are replaced. Implies --once. Stop any running refine first.")
  boolean fullRefresh;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "With --full-refresh: the one table to rebuild (same as --tables TABLE).")
  String table;

  @Option(
      names = "--trigger-interval",
      paramLabel = "DURATION",
      description = "Continuous trigger interval such as 5s (default: from the spec).")
  String triggerInterval;

  @Override
  public Integer call() {
    Pipeline pipeline =
        common
            .pipeline()
            .with(Overrides.triggerInterval(CommonOptions.triggerInterval(triggerInterval)));
    LakeLayout lake = common.lake();
    CatalogTarget catalogTarget = common.catalog();
    List<String> names = new ArrayList<>(tables);
    if (table != null) {
      names.add(table);
    }
    List<SilverTable> selected =
        Tables.select(names, pipeline.silverTables(), SilverTable::name, "silver", pipeline);
    if (selected.isEmpty()) {
      throw new MedallionException(
          pipeline.file() + " declares no silver tables.", "Add a silver section to the spec.");
    }
    PrintWriter out = common.out();
    SparkSession spark = SparkSessions.getOrCreate("medallion-refine", common.sparkConf());
    SilverRefinement refinement =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance());
    if (fullRefresh) {
      for (SilverTable t : selected) {
        refinement.prepareRebuild(t);
        refinement.reset(t);
        out.println("Rebuilding " + t.qualifiedName() + " from all of bronze");
      }
    }
    long start = System.nanoTime();
    Map<String, Long> rows;
    try (CatalogSync catalog = catalogTarget.start(spark, pipeline.tables(), common.out());
        OperationRun op = OperationRun.open(spark, lake, "refine")) {
      rows = op.streams(events -> refinement.startAll(selected, once || fullRefresh, events), out);
    }
    if (!LakehouseCommand.shuttingDown()) {
      out.printf("Refined %s bronze rows in %.1f s%n", rows, (System.nanoTime() - start) / 1e9);
      SilverSummary.print(spark, lake, selected, out);
    }
    return 0;
  }
}
