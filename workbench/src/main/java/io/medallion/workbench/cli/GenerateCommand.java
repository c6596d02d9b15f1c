package io.medallion.workbench.cli;

import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.jobs.cli.OptionException;
import io.medallion.workbench.generate.Generation;
import io.medallion.workbench.generate.GeneratorSettings;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse generate}: realistic events for the reference pipeline's topics, or records made
 * from the payload schemas for any other pipeline.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Produce records to the pipeline's topics (acks=all, idempotent): plays, impressions and"
            + " title changes for the reference pipeline; for any other spec, records made from"
            + " its silver payload schemas.")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin GeneratorOptions generator;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Pipeline pipeline = common.pipeline();
    String servers = common.bootstrapServers();
    GeneratorSettings settings = generator.settings();
    Generation.produce(out, servers, common.kafkaConf(), pipeline, settings);
    return 0;
  }

  /** The generator's options, shared by {@code generate} and {@code demo}. */
  static final class GeneratorOptions {
    @Option(
        names = "--events",
        paramLabel = "N",
        description = "Events in all (default: ${DEFAULT-VALUE}).",
        defaultValue = "100000")
    long events;

    @Option(
        names = "--rate",
        paramLabel = "R",
        description = "Events per second; 0 = unlimited (default).",
        defaultValue = "0")
    double rate;

    @Option(
        names = "--seed",
        paramLabel = "S",
        description =
            "Random seed; same seed and --start-time, same events (default: random, printed).")
    Long seed;

    @Option(
        names = "--start-time",
        paramLabel = "INSTANT",
        description = "Newest event time, ISO-8601 (default: now).")
    Instant startTime;

    @Option(
        names = "--bad-fraction",
        paramLabel = "F",
        description = "Share of malformed records (default: ${DEFAULT-VALUE}).",
        defaultValue = "0")
    double badFraction;

    @Option(
        names = "--duplicate-fraction",
        paramLabel = "F",
        description = "Share of re-sent events (default: ${DEFAULT-VALUE}).",
        defaultValue = "0")
    double duplicateFraction;

    @Option(
        names = "--late-fraction",
        paramLabel = "F",
        description = "Share of events hours late (default: ${DEFAULT-VALUE}).",
        defaultValue = "0")
    double lateFraction;

    @Option(
        names = "--titles",
        paramLabel = "N",
        description = "Catalog size (default: ${DEFAULT-VALUE}).",
        defaultValue = "1000")
    int titles;

    @Option(
        names = "--users",
        paramLabel = "N",
        description = "Distinct members (default: ${DEFAULT-VALUE}).",
        defaultValue = "50000")
    int users;

    GeneratorSettings settings() {
      GeneratorSettings s =
          new GeneratorSettings(
              events,
              seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000),
              badFraction,
              duplicateFraction,
              lateFraction,
              startTime != null ? startTime : Instant.now(),
              rate,
              titles,
              users);
      String problem = s.problem();
      if (problem != null) {
        throw new OptionException(
            "Invalid generator options: " + problem + ".", "See lakehouse generate --help.");
      }
      return s;
    }
  }
}
