package io.medallion.workbench.cli;

import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Durations;
import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.localstack.LocalKafka;
import io.medallion.workbench.bench.BenchReport;
import io.medallion.workbench.bench.Benchmark;
import io.medallion.workbench.generate.Generation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lakehouse bench}: throughput, freshness and memory against baselines, in one run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Start a fresh local broker, generate the reference events once, and measure on them: a bare"
          + " Kafka consumer and Spark's Kafka source (the ceilings), the hand-written Spark code a"
          + " user would write (naive_bronze, naive_silver, naive_gold), Medallion's layers, and"
          + " the whole pipeline running continuously under a steady producer (end_to_end).",
      "Another pipeline (--pipeline) is measured on records made from its payload schemas, without"
          + " the stages that measure the reference pipeline's own tables (naive_gold, end_to_end,"
          + " files_baseline, files, scale).",
      "Writes benchmark.json and benchmark.md to --out and prints the table."
    })
public final class BenchCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--events",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Events for the batch stages (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--partitions",
      paramLabel = "P",
      defaultValue = "0",
      description = "Partitions per topic (default: the pipeline spec's).")
  int partitions;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Generator seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "benchmark-results",
      description = "Where the report and the broker's data go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--repeat",
      paramLabel = "R",
      defaultValue = "3",
      description =
          "Measured rounds per stage; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "1",
      description = "Unmeasured warm-up rounds before them (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--e2e-rate",
      paramLabel = "EVENTS_PER_S",
      defaultValue = "10000",
      description = "Events/s the producer offers in end_to_end (default: ${DEFAULT-VALUE}).")
  double e2eRate;

  @Option(
      names = "--e2e-seconds",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description = "How long the producer runs in end_to_end (default: ${DEFAULT-VALUE}).")
  int e2eSeconds;

  @Option(
      names = "--e2e-warmup-seconds",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "How long the producer runs at --e2e-rate before end_to_end's measured events, unmeasured,"
              + " waiting until they are in gold; 0 measures from the pipeline's first micro-batches"
              + " (default: ${DEFAULT-VALUE}).")
  int e2eWarmupSeconds;

  @Option(
      names = "--e2e-search-rates",
      paramLabel = "EVENTS_PER_S",
      split = ",",
      description =
          "Offered rates rate_search tries, lowest first, each for --e2e-seconds, until the p95"
              + " from Kafka acknowledgement to gold exceeds 10 s (default:"
              + " 1000,2000,5000,10000,20000,50000).")
  List<Double> searchRates = List.of(1_000d, 2_000d, 5_000d, 10_000d, 20_000d, 50_000d);

  @Option(
      names = "--skip-rate-search",
      description = "Leave out rate_search, which runs end_to_end once per rate it tries.")
  boolean skipRateSearch;

  @Option(
      names = "--trigger-interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description = "Every query's trigger interval in end_to_end (default: ${DEFAULT-VALUE}).")
  String triggerInterval;

  @Option(
      names = "--stages",
      paramLabel = "STAGE",
      split = ",",
      description =
          "Only these stages, comma-separated (default: all but files_baseline and files, which"
              + " run the pipeline for --files-duration each). A stage that another needs still"
              + " runs, unreported: silver runs bronze first, gold runs bronze and silver.")
  List<String> stages = Benchmark.DEFAULT_STAGES;

  @Option(
      names = "--files-rate",
      paramLabel = "EVENTS_PER_S",
      defaultValue = "200",
      description =
          "Events/s the producer offers in files_baseline and files (default: ${DEFAULT-VALUE}).")
  double filesRate;

  @Option(
      names = "--files-duration",
      paramLabel = "DURATION",
      defaultValue = "10m",
      description =
          "How long the producer runs in each of files_baseline and files (default:"
              + " ${DEFAULT-VALUE}).")
  String filesDuration;

  @Option(
      names = "--scale-rows",
      paramLabel = "N",
      split = ",",
      description =
          "Table sizes the scale stage measures a micro-batch of 10,000 events at, comma-separated"
              + " (default: 1000000,10000000). Runs only when --stages names scale.")
  List<Long> scaleRows = List.of(1_000_000L, 10_000_000L);

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    check(events >= 1, "--events must be at least 1");
    check(partitions >= 0, "--partitions must be 0 (the spec's) or more");
    check(repeat >= 1, "--repeat must be at least 1");
    check(warmup >= 0, "--warmup must be 0 or more");
    check(e2eRate > 0, "--e2e-rate must be above 0");
    check(e2eSeconds >= 1, "--e2e-seconds must be at least 1");
    check(e2eWarmupSeconds >= 0, "--e2e-warmup-seconds must be 0 or more");
    check(
        common.namedBootstrapServers().isEmpty(),
        "bench starts its own broker on fresh topics; drop --bootstrap-servers");
    for (String stage : stages) {
      check(
          Benchmark.STAGES.contains(stage),
          "--stages: unknown stage '"
              + stage
              + "'; the stages are "
              + String.join(",", Benchmark.STAGES));
    }
    check(
        searchRates.stream().allMatch(r -> r > 0),
        "--e2e-search-rates must list rates above 0, such as 1000,5000,10000");
    check(filesRate > 0, "--files-rate must be above 0");
    check(
        scaleRows.stream().allMatch(n -> n >= 1),
        "--scale-rows must list table sizes of 1 row or more, such as 1000000,10000000");
    Duration interval = CommonOptions.triggerInterval(triggerInterval).orElseThrow();
    Duration filesFor =
        Durations.parse(filesDuration)
            .filter(d -> d.toSeconds() >= 1)
            .orElseThrow(
                () ->
                    new ParameterException(
                        spec.commandLine(),
                        "--files-duration '"
                            + filesDuration
                            + "' is not a duration of a second or more; write one such as 90s"
                            + " or 10m"));
    PrintWriter console = spec.commandLine().getOut();
    Pipeline pipeline = common.pipeline();
    List<String> measured =
        skipRateSearch ? stages.stream().filter(s -> !s.equals("rate_search")).toList() : stages;
    if (!Generation.isReference(pipeline)) {
      List<String> referenceOnly =
          measured.stream().filter(Benchmark.REFERENCE_ONLY::contains).toList();
      boolean named = spec.commandLine().getParseResult().hasMatchedOption("--stages");
      check(
          !named || referenceOnly.isEmpty(),
          "--stages: "
              + String.join(",", referenceOnly)
              + " measure the reference pipeline's own tables; for "
              + pipeline.name()
              + " choose among "
              + String.join(
                  ",",
                  Benchmark.STAGES.stream()
                      .filter(s -> !Benchmark.REFERENCE_ONLY.contains(s))
                      .toList()));
      measured = measured.stream().filter(s -> !referenceOnly.contains(s)).toList();
      if (!referenceOnly.isEmpty()) {
        console.printf(
            "Pipeline %s: leaving out %s, which measure the reference pipeline's own tables.%n",
            pipeline.name(), String.join(", ", referenceOnly));
      }
    }
    Path kafkaDir = out.resolve("kafka");
    Benchmark.deleteTree(kafkaDir);
    console.printf("Starting a fresh local Kafka broker in %s ...%n", kafkaDir);
    console.flush();
    LocalKafka broker = LocalKafka.start(kafkaDir, 0, false);
    try {
      SparkSession spark = SparkSessions.getOrCreate("medallion-bench", common.sparkConf());
      Benchmark.Settings settings =
          new Benchmark.Settings(
              events,
              partitions,
              seed,
              repeat,
              warmup,
              out,
              e2eRate,
              e2eSeconds,
              e2eWarmupSeconds,
              interval,
              new LinkedHashSet<>(measured),
              filesRate,
              filesFor,
              scaleRows.stream().distinct().sorted().toList(),
              searchRates.stream().distinct().sorted().toList());
      BenchReport report =
          new Benchmark(
                  spark,
                  pipeline,
                  broker.bootstrapServers(),
                  common.kafkaConf(),
                  Generation.topicsFor(pipeline),
                  settings,
                  console)
              .run();
      console.println();
      console.print(report.markdown());
      console.printf(
          "%nWrote %s and %s%n",
          out.resolve(BenchReport.JSON_FILE), out.resolve(BenchReport.MARKDOWN_FILE));
      console.flush();
    } finally {
      broker.stop();
      Benchmark.deleteTree(kafkaDir);
    }
    return 0;
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
