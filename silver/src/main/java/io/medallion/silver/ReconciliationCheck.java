package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Verifies the recorded reconciliation against itself and against the tables:
 *
 * <ul>
 *   <li>every batch: bronze rows = accepted + quarantined + duplicates + dropped;
 *   <li>the table's rows in {@code silver.quarantine} = the quarantined it recorded;
 *   <li>an append table's rows = the accepted it recorded;
 *   <li>the bronze rows it recorded reading are no more than bronze holds.
 * </ul>
 */
public final class ReconciliationCheck {
  private ReconciliationCheck() {}

  /** One verified fact. */
  public record Finding(String table, String check, boolean ok, String detail) {}

  /** Checks each table; a table never refined yields one finding saying so. */
  public static List<Finding> check(SparkSession spark, LakeLayout lake, List<SilverTable> tables) {
    List<Finding> findings = new ArrayList<>();
    String reconciliationPath = lake.system(SilverRecords.RECONCILIATION);
    boolean recorded = DeltaTable.isDeltaTable(spark, reconciliationPath);
    for (SilverTable table : tables) {
      String name = table.qualifiedName();
      if (!recorded) {
        findings.add(new Finding(name, "refined", false, "nothing recorded yet: run refine first"));
        continue;
      }
      var batches = SilverRecords.reconciliation(spark, lake).where(col("table").equalTo(name));
      long unbalanced =
          batches.where("bronze_rows <> accepted + quarantined + duplicates + dropped").count();
      Row totals =
          batches
              .agg(sum("bronze_rows"), sum("accepted"), sum("quarantined"), sum("duplicates"))
              .first();
      if (totals.isNullAt(0)) {
        findings.add(new Finding(name, "refined", false, "no batches recorded: run refine first"));
        continue;
      }
      long bronzeRead = totals.getLong(0);
      long accepted = totals.getLong(1);
      long quarantined = totals.getLong(2);
      findings.add(
          new Finding(
              name,
              "every batch balances",
              unbalanced == 0,
              unbalanced == 0
                  ? batches.count() + " batches"
                  : unbalanced + " batches where bronze rows <> the sum of the outcomes"));
      long inQuarantine =
          QuarantineTable.read(spark, lake)
              .where(col(QuarantineTable.SOURCE_TABLE).equalTo(name))
              .count();
      findings.add(
          new Finding(
              name,
              "quarantine holds what was quarantined",
              inQuarantine == quarantined,
              "recorded " + quarantined + ", silver.quarantine has " + inQuarantine));
      if (table.write().mode() == WriteMode.APPEND) {
        long rows =
            spark.read().format("delta").load(lake.table(Layer.SILVER, table.name())).count();
        findings.add(
            new Finding(
                name,
                "table holds what was accepted",
                rows == accepted,
                "recorded " + accepted + ", the table has " + rows));
      }
      long bronzeRows =
          spark
              .read()
              .format("delta")
              .load(lake.table(Layer.BRONZE, table.source().name()))
              .count();
      findings.add(
          new Finding(
              name,
              "bronze rows read exist",
              bronzeRead <= bronzeRows,
              "read "
                  + bronzeRead
                  + " of "
                  + bronzeRows
                  + " in "
                  + table.source().qualifiedName()
                  + (bronzeRead < bronzeRows ? " (the rest is not refined yet)" : "")));
    }
    return findings;
  }
}
