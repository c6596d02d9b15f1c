package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.jobs.catalog.CatalogSync;
import io.medallion.jobs.catalog.CatalogTarget;
import io.medallion.jobs.run.OperationRun;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lakehouse aggregate}: silver to gold, once or continuously. */
@Command(
    name = "aggregate",
    mixinStandardHelpOptions = true,
    description = {
      "Aggregate silver into gold: each gold table is kept equal to its query over silver.",
      "Continuous by default; --once recomputes what new silver rows touch (and every slice a"
          + " streaming table recorded as late), then stops; --full-refresh rebuilds tables whole"
          + " after their definition changed."
    })
final class AggregateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--once", description = "Process everything new in silver, then stop.")
  boolean once;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "TABLE",
      description = "Gold tables to refresh (default: all in the spec).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--full-refresh",
      description =
          "Rebuild the tables (default: all) whole from silver as it is now, with their current"
              + " definition, schema and partitioning, and start their checkpoints again; names"
              + " what changed in each definition first. Then stops, like --once.")
  boolean fullRefresh;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "With --full-refresh: the one table to rebuild (same as --tables TABLE).")
  String table;

  @Option(
      names = "--cascade",
      description =
          "With --full-refresh: also rebuild the gold tables that read the rebuilt ones, directly"
              + " or through other gold tables.")
  boolean cascade;

  @Option(
      names = "--trigger-interval",
      paramLabel = "DURATION",
      description = "Continuous trigger interval such as 10s (default: from the spec).")
  String triggerInterval;

  @Override
  public Integer call() {
    Pipeline pipeline =
        common
            .pipeline()
            .with(Overrides.triggerInterval(CommonOptions.triggerInterval(triggerInterval)));
    LakeLayout lake = common.lake();
    CatalogTarget catalogTarget = common.catalog();
    if ((table != null || cascade) && !fullRefresh) {
      throw new OptionException(
          (table != null ? "--table" : "--cascade") + " only goes with --full-refresh.",
          "Use --tables to choose the tables of a run, or add --full-refresh to rebuild them.");
    }
    List<String> names = new ArrayList<>(tables);
    if (table != null) {
      names.add(table);
    }
    List<GoldTable> selected =
        new ArrayList<>(
            Tables.select(names, pipeline.goldTables(), GoldTable::name, "gold", pipeline));
    if (selected.isEmpty()) {
      throw new MedallionException(
          pipeline.file() + " declares no gold tables.", "Add a gold section to the spec.");
    }
    if (cascade) {
      selected.addAll(GoldAggregation.readers(selected, pipeline.goldTables()));
    }
    SparkSession spark = SparkSessions.getOrCreate("medallion-aggregate", common.sparkConf());
    GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
    long start = System.nanoTime();
    PrintWriter out = common.out();
    if (fullRefresh) {
      // What changed, for every table, before anything is written.
      for (GoldTable t : selected) {
        String changes = aggregation.definitionChanges(t);
        out.println(
            t.qualifiedName()
                + (changes.isEmpty()
                    ? ": definition unchanged since its checkpoint"
                    : ": definition changed since its checkpoint:" + changes));
      }
      out.flush();
      for (GoldTable t : selected) {
        aggregation.fullRefresh(t);
        out.println("Rebuilt " + t.qualifiedName() + " from its sources");
      }
    }
    try (CatalogSync catalog = catalogTarget.start(spark, pipeline.tables(), common.out());
        OperationRun op = OperationRun.open(spark, lake, "aggregate")) {
      op.streams(events -> aggregation.startAll(selected, once || fullRefresh, events), out);
    }
    if (!LakehouseCommand.shuttingDown()) {
      out.printf("Aggregated gold in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }
}
