package io.medallion.jobs.cli;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.silver.QuarantineReprocess;
import io.medallion.silver.QuarantineTable;
import io.medallion.silver.SilverRecords.Counts;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lakehouse quarantine list|reprocess}: look at rejected records, or retry them. */
@Command(
    name = "quarantine",
    mixinStandardHelpOptions = true,
    description = {
      "list: show a silver table's quarantined records with their rule and reason.",
      "reprocess: run them through the current spec again; those that now pass move into the"
          + " silver table (exactly once) and out of quarantine."
    })
final class QuarantineCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "list|reprocess", description = "What to do.")
  Action action;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "TABLE",
      description = "The silver table whose rejects to use, such as plays or silver.plays.")
  String table;

  @Option(names = "--rule", paramLabel = "RULE", description = "Only records this rule rejected.")
  String rule;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "list: most records to show (default: ${DEFAULT-VALUE}).")
  int limit;

  @Spec CommandSpec spec;

  enum Action {
    list,
    reprocess
  }

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    LakeLayout lake = common.lake();
    SilverTable silver =
        Tables.select(
                List.of(table), pipeline.silverTables(), SilverTable::name, "silver", pipeline)
            .get(0);
    SparkSession spark = SparkSessions.getOrCreate("medallion-quarantine", common.sparkConf());
    QuarantineTable.create(spark, lake);
    PrintWriter out = spec.commandLine().getOut();
    if (action == Action.reprocess) {
      Counts moved =
          QuarantineReprocess.run(spark, pipeline, lake, silver, Optional.ofNullable(rule));
      long stayed = remaining(spark, lake, silver);
      out.printf(
          "Reprocessed %,d records of %s%s: %,d accepted, %,d duplicates, %,d dropped; %,d stay in"
              + " quarantine.%n",
          -moved.quarantined() + stayed,
          silver.qualifiedName(),
          rule == null ? "" : " (rule " + rule + ")",
          moved.accepted(),
          moved.duplicates(),
          moved.dropped(),
          stayed);
      out.flush();
      return 0;
    }
    List<Row> rows =
        QuarantineTable.read(spark, lake)
            .where(filter(silver))
            .orderBy(QuarantineTable.TOPIC, QuarantineTable.PARTITION, QuarantineTable.OFFSET)
            .limit(limit)
            .collectAsList();
    long total = QuarantineTable.read(spark, lake).where(filter(silver)).count();
    out.printf(
        "%,d quarantined records of %s%s%s%n",
        total,
        silver.qualifiedName(),
        rule == null ? "" : " (rule " + rule + ")",
        total > rows.size() ? ", the first " + rows.size() + ":" : ":");
    for (Row r : rows) {
      out.printf(
          "  %s/%d@%d  %-22s %s%n    %s: %s%n",
          r.getAs(QuarantineTable.TOPIC),
          (Integer) r.getAs(QuarantineTable.PARTITION),
          (Long) r.getAs(QuarantineTable.OFFSET),
          r.getAs(QuarantineTable.RULE),
          r.getAs(QuarantineTable.REASON),
          r.getAs(QuarantineTable.RAW_ENCODING) == null
              ? "value"
              : (String) r.getAs(QuarantineTable.RAW_ENCODING),
          r.getAs(QuarantineTable.RAW_VALUE));
    }
    out.flush();
    return 0;
  }

  private Column filter(SilverTable silver) {
    Column c = functions.col(QuarantineTable.SOURCE_TABLE).equalTo(silver.qualifiedName());
    return rule == null ? c : c.and(functions.col(QuarantineTable.RULE).equalTo(rule));
  }

  private long remaining(SparkSession spark, LakeLayout lake, SilverTable silver) {
    return QuarantineTable.read(spark, lake).where(filter(silver)).count();
  }
}
