package io.medallion.jobs.cli;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.jobs.generate.GeneratorSettings;
import io.medallion.localstack.LocalKafka;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
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
final class DemoCommand implements Callable<Integer> {
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    Pipeline pipeline = common.pipeline();
    LakeLayout lake = common.lake();
    out.printf("Medallion demo: pipeline %s, lake %s%n", pipeline.name(), lake);

    boolean external = common.bootstrapServers != null && !common.bootstrapServers.isBlank();
    Optional<LocalKafka> running = LocalKafka.running(common.kafkaDir());
    LocalKafka startedBroker = null;
    String servers;
    if (external) {
      servers = common.bootstrapServers;
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
      GenerateCommand.produce(out, servers, common.kafkaConf(), pipeline, settings);

      out.println(
          "3. Running the pipeline once: Kafka to bronze, then bronze to silver (--once: everything"
              + " available, then stop)");
      out.flush();
      SparkSession spark = SparkSessions.getOrCreate("medallion-demo", common.sparkConf());
      long ingestStart = System.nanoTime();
      RunCommand.run(
          spark, pipeline, lake, IngestOptions.of(servers, true), java.util.Optional.empty());
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
      SilverSummary.print(spark, lake, pipeline.silverTables(), System.out);
      System.out.flush();
      out.printf(
          "Pipeline ran in %.1f s; demo took %.1f s.%n",
          ingestSeconds, (System.nanoTime() - started) / 1e9);
      out.println();
      BronzeTable first = pipeline.bronzeTables().get(0);
      out.println(
          "A few raw records of "
              + first.qualifiedName()
              + " (bronze keeps the bytes exactly as delivered):");
      for (Row row :
          BronzeIngestion.read(spark, lake, first.name())
              .selectExpr("partition", "offset", "CAST(value AS STRING) AS value")
              .orderBy("partition", "offset")
              .limit(3)
              .collectAsList()) {
        out.printf("  %s/%s  %s%n", row.get(0), row.get(1), row.getString(2));
      }
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
