package io.medallion.jobs.cli;

import io.medallion.bronze.BronzeReplay;
import io.medallion.bronze.BronzeReplay.From;
import io.medallion.bronze.BronzeReplay.Outcome;
import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.jobs.run.OperationRun;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse replay}: re-reads a range of a topic into its bronze table, idempotently. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-read a range of a bronze table's topic from Kafka and land the records the table does"
          + " not hold; records it holds are not landed again (bronze is keyed by topic,"
          + " partition and offset). Reads up to where the table ends now, beside the live stream"
          + " and without touching its checkpoint. Recorded in _system.events."
    })
final class ReplayCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "bronze.TABLE",
      description = "The bronze table, such as bronze.plays.")
  String table;

  static final class Start {
    @Option(
        names = "--from-offsets",
        paramLabel = "P:OFFSET,...",
        description = "The first offset to read per partition, such as 0:100,1:250.")
    String offsets;

    @Option(
        names = "--from-timestamp",
        paramLabel = "TIME",
        description =
            "Read from the first record at or after this time, such as"
                + " 2026-11-20T10:00:00Z, in every partition.")
    String timestamp;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Start start;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    BronzeTable bronze =
        Tables.select(
                List.of(table), pipeline.bronzeTables(), BronzeTable::name, "bronze", pipeline)
            .get(0);
    From from;
    if (start.offsets != null) {
      try {
        from = From.offsets(start.offsets);
      } catch (MedallionException e) {
        throw new OptionException(e.problem(), e.fix());
      }
    } else {
      try {
        from = new From(Map.of(), Instant.parse(start.timestamp));
      } catch (DateTimeParseException e) {
        throw new OptionException(
            "--from-timestamp '" + start.timestamp + "' is not a time.",
            "Write it as 2026-11-20T10:00:00Z.");
      }
    }
    String servers = common.bootstrapServers();
    SparkSession spark = SparkSessions.getOrCreate("medallion-replay", common.sparkConf());
    PrintWriter out = spec.commandLine().getOut();
    try (OperationRun op = OperationRun.open(spark, common.lake(), "replay")) {
      op.step(
          table,
          () ->
              BronzeReplay.replay(spark, common.lake(), bronze, from, servers, common.kafkaConf()),
          (o, ms) -> {
            String message = describe(o);
            out.println("Replayed " + table + ": " + message + ".");
            out.flush();
            return new OperationRun.Outcome(
                Event.REPLAY,
                o.read(),
                o.added(),
                message,
                Event.details(
                    Map.of("from", start.offsets != null ? start.offsets : start.timestamp)));
          });
    }
    return 0;
  }

  private String describe(Outcome o) {
    String ranges =
        o.ranges().entrySet().stream()
            .map(e -> e.getKey() + ":[" + e.getValue()[0] + "," + e.getValue()[1] + ")")
            .collect(Collectors.joining(" "));
    return String.format(
        "read %,d records (%s); added %,d that %s did not hold",
        o.read(), ranges.isEmpty() ? "nothing to read" : ranges, o.added(), table);
  }
}
