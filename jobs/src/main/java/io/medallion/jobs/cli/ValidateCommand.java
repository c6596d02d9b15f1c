package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.run.PipelineValidation;
import io.medallion.jobs.run.PipelineValidation.Report;
import io.medallion.jobs.run.PipelineValidation.TopicsCheck;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lakehouse validate}: a dry run of the spec against the real schemas. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a pipeline without processing data: load the spec, analyse every silver transform,"
          + " rule and write column and every gold query against the schemas their sources will"
          + " have, say what the next run will change in the lake's tables, check the topics when"
          + " a broker answers, and print the pipeline's graph. Exits 1 with every problem, each"
          + " with the spec's file and line."
    })
final class ValidateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String servers;
    try {
      servers = common.bootstrapServers();
    } catch (MedallionException noBroker) {
      servers = null;
    }
    String brokers = servers;
    Report report =
        new PipelineValidation(
                SparkSessions.getOrCreate("medallion-validate", common.sparkConf()),
                pipeline,
                common.lake())
            .run(
                () ->
                    brokers == null
                        ? TopicsCheck.skipped("no broker is named or running")
                        : TopicsCheck.ask(brokers, common.kafkaConf(), pipeline));
    out.println("Pipeline " + pipeline.name() + " (" + pipeline.file() + ")");
    section(out, "Graph (sources → bronze → silver → gold):", report.graph());
    section(out, "Tables:", report.tables());
    section(out, "The next run changes in " + common.lake().root() + ":", report.pending());
    section(out, "Topics" + (brokers == null ? "" : " at " + brokers) + ":", report.topics());
    out.println();
    if (report.valid()) {
      out.printf(
          "Valid: %s; tables: %d bronze, %d silver, %d gold.%n",
          count(pipeline.sources().size(), "source"),
          pipeline.bronzeTables().size(),
          pipeline.silverTables().size(),
          pipeline.goldTables().size());
      out.flush();
      return 0;
    }
    out.flush();
    report.problems().forEach(p -> err.println("error: " + p));
    err.printf(
        "Invalid: %d %s.%n",
        report.problems().size(), report.problems().size() == 1 ? "problem" : "problems");
    err.flush();
    return LakehouseCommand.EXIT_FAILURE;
  }

  private static String count(int n, String thing) {
    return n + " " + thing + (n == 1 ? "" : "s");
  }

  private static void section(PrintWriter out, String title, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    out.println();
    out.println(title);
    lines.forEach(l -> out.println("  " + l));
  }
}
