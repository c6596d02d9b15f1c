package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.jobs.run.OperationRun;
import io.medallion.silver.SilverBackfill;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse backfill}: rebuilds a gold table, or a date range of it, from silver; or a date
 * range of a silver table from bronze.
 */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild a gold table, or the dates from --from to --to of it (its slice column), from"
          + " silver as it is now: afterwards they equal a recomputation.",
      "Or rebuild the rows of an append-mode silver table that came from the records bronze"
          + " ingested from --from to --to (past dates, UTC): they go through the current spec"
          + " again and replace the range's rows and quarantined records.",
      "Idempotent, and safe beside the running pipeline. Recorded in _system.events."
    })
final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "TABLE",
      description = "The table, such as gold.title_daily_engagement or silver.plays.")
  String table;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      description =
          "The first date, such as 2026-11-20: of the gold table's slice column, or of bronze's"
              + " ingestion for a silver table.")
  String from;

  @Option(names = "--to", paramLabel = "DATE", description = "The last date, inclusive.")
  String to;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    if ((from == null) != (to == null)) {
      throw new OptionException(
          "--from and --to go together.",
          "Give both (--from 2026-11-20 --to 2026-11-21), or neither to rebuild a whole gold"
              + " table.");
    }
    Optional<LocalDate> first = date("--from", from);
    Optional<LocalDate> last = date("--to", to);
    if (first.isPresent() && last.get().isBefore(first.get())) {
      throw new OptionException("--to " + to + " is before --from " + from + ".", "Swap them.");
    }
    if (table.startsWith("silver.")) {
      SilverTable silver =
          Tables.select(
                  List.of(table), pipeline.silverTables(), SilverTable::name, "silver", pipeline)
              .get(0);
      if (first.isEmpty()) {
        throw new OptionException(
            "a silver backfill needs --from and --to: the dates bronze ingested the records to"
                + " rebuild.",
            "Give them, such as --from 2026-11-20 --to 2026-11-21. To rebuild a whole silver"
                + " table, stop the pipeline and run ./lakehouse refine --full-refresh --table "
                + silver.name()
                + ".");
      }
      try {
        SilverBackfill.check(silver, first.get(), last.get(), LocalDate.now(ZoneOffset.UTC));
      } catch (MedallionException e) {
        throw new OptionException(e.problem(), e.fix());
      }
      return backfill(
          spark -> {
            SilverBackfill.Result r =
                SilverBackfill.run(spark, pipeline, common.lake(), silver, first.get(), last.get());
            return new Done(
                r.bronzeRecords(),
                r.rowsAfter(),
                String.format(
                    "refined the %,d records bronze ingested from %s to %s again: rows %,d -> %,d,"
                        + " quarantined %,d -> %,d",
                    r.bronzeRecords(),
                    first.get(),
                    last.get(),
                    r.rowsBefore(),
                    r.rowsAfter(),
                    r.quarantinedBefore(),
                    r.quarantinedAfter()));
          });
    }
    GoldTable gold =
        Tables.select(List.of(table), pipeline.goldTables(), GoldTable::name, "gold", pipeline)
            .get(0);
    return backfill(
        spark -> {
          List<LocalDate> slices =
              new GoldAggregation(spark, common.lake(), pipeline.tables())
                  .backfill(gold, first, last);
          String what =
              slices.isEmpty()
                  ? "the whole table"
                  : slices.size()
                      + " dates, "
                      + slices.get(0)
                      + " to "
                      + slices.get(slices.size() - 1);
          return new Done(slices.size(), slices.size(), "rebuilt " + what + " from silver");
        });
  }

  /** What a backfill did: its event's rows in and out, and a sentence. */
  private record Done(long rowsIn, long rowsOut, String what) {}

  /** Runs a backfill, records it (or its failure) in the event log, and reports it. */
  private int backfill(Function<SparkSession, Done> rebuild) {
    SparkSession spark = SparkSessions.getOrCreate("medallion-backfill", common.sparkConf());
    PrintWriter out = spec.commandLine().getOut();
    try (OperationRun op = OperationRun.open(spark, common.lake(), "backfill")) {
      Done done =
          op.step(
              table,
              () -> rebuild.apply(spark),
              (d, ms) ->
                  new OperationRun.Outcome(
                      Event.BACKFILL, d.rowsIn(), d.rowsOut(), d.what(), Event.details(fromTo())));
      out.println("Backfilled " + table + ": " + done.what() + ".");
      out.flush();
    }
    return 0;
  }

  private Map<String, String> fromTo() {
    Map<String, String> range = new LinkedHashMap<>();
    range.put("from", from);
    range.put("to", to);
    return range;
  }

  private static Optional<LocalDate> date(String option, String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(text));
    } catch (DateTimeParseException e) {
      throw new OptionException(
          option + " '" + text + "' is not a date.", "Write it as 2026-11-20.");
    }
  }
}
