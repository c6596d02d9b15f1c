package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.events.EventLog;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.gold.GoldAggregation;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse backfill}: rebuilds a gold table, or a date range of it, from silver. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild a gold table, or the dates from --from to --to of it (its slice column), from"
          + " silver as it is now: afterwards they equal a recomputation. Idempotent, and safe"
          + " beside the running pipeline. Recorded in _system.events. (Silver tables: not yet;"
          + " use ./lakehouse refine --full-refresh --table T.)"
    })
final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "gold.TABLE",
      description = "The table, such as gold.title_daily_engagement.")
  String table;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      description = "The first date, such as 2026-11-20.")
  String from;

  @Option(names = "--to", paramLabel = "DATE", description = "The last date, inclusive.")
  String to;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    if (table.startsWith("silver.")) {
      throw new MedallionException(
          "backfill of silver tables is not implemented yet.",
          "Rebuild a silver table from bronze with ./lakehouse refine --full-refresh --table "
              + table.substring("silver.".length())
              + ".");
    }
    GoldTable gold =
        Tables.select(List.of(table), pipeline.goldTables(), GoldTable::name, "gold", pipeline)
            .get(0);
    if ((from == null) != (to == null)) {
      throw new MedallionException(
          "--from and --to go together.",
          "Give both (--from 2026-11-20 --to 2026-11-21), or neither to rebuild the whole table.");
    }
    Optional<LocalDate> first = date("--from", from);
    Optional<LocalDate> last = date("--to", to);
    if (first.isPresent() && last.get().isBefore(first.get())) {
      throw new MedallionException("--to " + to + " is before --from " + from + ".", "Swap them.");
    }
    SparkSession spark = SparkSessions.getOrCreate("medallion-backfill", common.sparkConf());
    PrintWriter out = spec.commandLine().getOut();
    try (EventLog events = EventLog.open(spark, common.lake(), "backfill")) {
      long began = System.nanoTime();
      List<LocalDate> slices;
      try {
        slices = new GoldAggregation(spark, pipeline, common.lake()).backfill(gold, first, last);
      } catch (RuntimeException e) {
        events.add(Event.failure(table, "backfill: " + e.getMessage()));
        throw e;
      }
      String what =
          slices.isEmpty()
              ? "the whole table"
              : slices.size() + " dates, " + slices.get(0) + " to " + slices.get(slices.size() - 1);
      events.add(
          Event.run(
              Event.BACKFILL,
              table,
              slices.size(),
              slices.size(),
              (System.nanoTime() - began) / 1_000_000,
              Event.OK,
              "rebuilt " + what + " from silver",
              "{\"from\":" + quoted(from) + ",\"to\":" + quoted(to) + "}"));
      out.println("Backfilled " + table + ": rebuilt " + what + " from silver.");
      out.flush();
    }
    return 0;
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  private static Optional<LocalDate> date(String option, String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(text));
    } catch (DateTimeParseException e) {
      throw new MedallionException(
          option + " '" + text + "' is not a date.", "Write it as 2026-11-20.");
    }
  }
}
