package io.medallion.jobs.cli;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.silver.QuarantineTable;
import io.medallion.silver.SilverRecords;
import java.io.PrintWriter;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Prints what silver holds: per table the reconciliation totals, and quarantine by rule. */
public final class SilverSummary {
  private SilverSummary() {}

  /** Prints the summary of {@code tables} to {@code out}. */
  public static void print(
      SparkSession spark, LakeLayout lake, List<SilverTable> tables, PrintWriter out) {
    List<String> names = tables.stream().map(SilverTable::qualifiedName).toList();
    out.println();
    out.println(
        "Silver tables (all runs; bronze rows = accepted + quarantined + duplicates + dropped)");
    out.printf(
        "  %-22s %12s %12s %12s %12s %12s%n",
        "table", "bronze rows", "accepted", "quarantined", "duplicates", "dropped");
    List<Row> totals =
        SilverRecords.reconciliation(spark, lake)
            .groupBy("table")
            .agg(
                org.apache.spark.sql.functions.sum("bronze_rows"),
                org.apache.spark.sql.functions.sum("accepted"),
                org.apache.spark.sql.functions.sum("quarantined"),
                org.apache.spark.sql.functions.sum("duplicates"),
                org.apache.spark.sql.functions.sum("dropped"))
            .collectAsList();
    for (String name : names) {
      Row r = totals.stream().filter(t -> t.getString(0).equals(name)).findFirst().orElse(null);
      if (r == null) {
        out.printf("  %-22s %12s%n", name, "(not refined yet)");
        continue;
      }
      out.printf(
          "  %-22s %,12d %,12d %,12d %,12d %,12d%n",
          name, r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5));
    }
    List<Row> byRule =
        QuarantineTable.read(spark, lake)
            .where(
                org.apache
                    .spark
                    .sql
                    .functions
                    .col(QuarantineTable.SOURCE_TABLE)
                    .isin(names.toArray()))
            .groupBy(QuarantineTable.SOURCE_TABLE, QuarantineTable.RULE)
            .count()
            .orderBy(QuarantineTable.SOURCE_TABLE, QuarantineTable.RULE)
            .collectAsList();
    if (!byRule.isEmpty()) {
      out.println("Quarantined by rule (silver.quarantine)");
      for (Row r : byRule) {
        out.printf("  %-22s %-24s %,10d%n", r.getString(0), r.getString(1), r.getLong(2));
      }
    }
    out.flush();
  }
}
