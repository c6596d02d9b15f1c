package io.medallion.workbench.cli;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.jobs.cli.SilverSummary;
import io.medallion.jobs.run.PipelineRunner;
import io.medallion.localstack.LocalKafka;
import io.medallion.workbench.generate.Generation;
import io.medallion.workbench.generate.GeneratorSettings;
import io.medallion.workbench.sql.ResultFormat;
import io.medallion.workbench.sql.SqlShell;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse demo}: the whole local path on a fresh machine, and what it did. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start the local broker, generate the reference events (some bad, duplicate and late),"
          + " land them in bronze, refine them into silver, and show what happened."
    })
public final class DemoCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--events",
      paramLabel = "N",
      defaultValue = "300000",
      description = "Events to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Generator seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--keep-broker",
      description = "Leave the local broker running afterwards (it is stopped by default).")
  boolean keepBroker;

  @Spec CommandSpec spec;

  /** The first table of the pipeline's last layer: gold, else silver, else bronze. */
  private static String lastTable(Pipeline pipeline) {
    if (!pipeline.goldTables().isEmpty()) {
      return pipeline.goldTables().get(0).qualifiedName();
    }
    if (!pipeline.silverTables().isEmpty()) {
      return pipeline.silverTables().get(0).qualifiedName();
    }
    return pipeline.bronzeTables().get(0).qualifiedName();
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    Pipeline pipeline = common.pipeline();
    LakeLayout lake = common.lake();
    out.printf("Medallion demo: pipeline %s, lake %s%n", pipeline.name(), lake);

    Optional<String> named = common.namedBootstrapServers();
    Optional<LocalKafka> running = LocalKafka.running(common.kafkaDir());
    LocalKafka startedBroker = null;
    String servers;
    if (named.isPresent()) {
      servers = named.get();
    } else if (running.isPresent()) {
      servers = running.get().bootstrapServers();
      out.printf("1. Using the running local Kafka broker at %s%n", servers);
    } else {
      out.printf("1. Starting a local Kafka broker in %s ...%n", common.kafkaDir());
      out.flush();
      startedBroker = LocalKafka.start(common.kafkaDir(), 0, false);
      servers = startedBroker.bootstrapServers();
      out.printf("   Kafka is up at %s%n", servers);
    }
    try {
      out.println("2. Producing events");
      GeneratorSettings settings =
          new GeneratorSettings(events, seed, 0.01, 0.02, 0.02, Instant.now(), 0, 1000, 50_000);
      Generation.produce(out, servers, common.kafkaConf(), pipeline, settings);

      out.println(
          "3. Running the pipeline once: Kafka to bronze, bronze to silver, silver to gold"
              + " (--once: everything available, then stop)");
      out.flush();
      SparkSession spark = SparkSessions.getOrCreate("medallion-demo", common.sparkConf());
      long ingestStart = System.nanoTime();
      new PipelineRunner(spark, pipeline, lake).run(IngestOptions.of(servers, true), out);
      double ingestSeconds = (System.nanoTime() - ingestStart) / 1e9;

      out.println();
      out.println("Bronze tables");
      out.printf("  %-22s %12s  %s%n", "table", "rows", "location");
      for (BronzeTable table : pipeline.bronzeTables()) {
        long total = BronzeIngestion.read(spark, lake, table.name()).count();
        out.printf(
            "  %-22s %,12d  %s%n",
            table.qualifiedName(),
            total,
            lake.table(io.medallion.core.lake.Layer.BRONZE, table.name()));
      }
      out.flush();
      SilverSummary.print(spark, lake, pipeline.silverTables(), out);
      out.printf(
          "Pipeline ran in %.1f s; demo took %.1f s.%n",
          ingestSeconds, (System.nanoTime() - started) / 1e9);
      out.println();
      SqlShell shell = new SqlShell(spark, pipeline, lake, ResultFormat.TABLE, false, 100, out);
      if (pipeline.goldTable("trending_now").isPresent()) {
        out.println(
            "Trending now: the top 3 titles of the latest hour, in the 5 busiest countries");
        shell.execute(
            "WITH latest AS (SELECT max(window_start) AS w FROM gold.trending_now),"
                + " busiest AS (SELECT country FROM gold.trending_now, latest"
                + " WHERE window_start = w GROUP BY country ORDER BY sum(score) DESC, country"
                + " LIMIT 5)"
                + " SELECT t.country, t.window_start, t.rank, t.title_id, t.score"
                + " FROM gold.trending_now t, latest WHERE t.window_start = latest.w"
                + " AND t.country IN (SELECT country FROM busiest) AND t.rank <= 3"
                + " ORDER BY t.country, t.rank");
        out.println();
      }
      if (pipeline.goldTable("data_quality_daily").isPresent()) {
        out.println("Data quality: rows passed and failed per silver table and rule");
        shell.execute(
            "SELECT `table`, rule, sum(passed) AS passed, sum(failed) AS failed"
                + " FROM gold.data_quality_daily GROUP BY `table`, rule ORDER BY `table`, rule");
        out.println();
      }
      String example =
          pipeline.goldTable("title_daily_engagement").isPresent()
              ? "SELECT * FROM gold.title_daily_engagement ORDER BY plays DESC LIMIT 10"
              : "SELECT * FROM " + lastTable(pipeline) + " LIMIT 10";
      if (!Generation.isReference(pipeline) && !pipeline.goldTables().isEmpty()) {
        // A pipeline of the user's own: show some of its first gold table.
        out.println(pipeline.goldTables().get(0).qualifiedName() + ", the first 10 rows");
        shell.execute(example);
        out.println();
      }
      out.println("Query further (read-only; \\tables lists every table):");
      out.println("  ./lakehouse sql --lake-root " + lake + " -e \"" + example + "\"");
      out.println("  ./lakehouse sql --lake-root " + lake + "      # an interactive prompt");
      out.flush();
    } finally {
      if (startedBroker != null && !keepBroker) {
        startedBroker.stop();
        out.println(
            "Stopped the local Kafka broker (its data stays in " + common.kafkaDir() + ").");
        out.flush();
      }
    }
    return 0;
  }
}
