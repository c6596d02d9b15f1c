package io.medallion.silver;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.silver.SilverRecords.RuleResult;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rebuilds the rows of an append-mode silver table that came from the records bronze ingested on a
 * range of dates: those records go through the current spec again, their rows replace the table's
 * rows of the range in one commit, and their rejects replace the table's quarantined records of the
 * range. Running it again writes the same rows.
 *
 * <p>Only past dates: bronze is still ingesting today's records, and the live stream refines them.
 * Every record of a past date is already in bronze, so the rebuild reads all the range can hold and
 * a streaming batch committed beside it cannot add a row it lacks: the stream finds the rebuilt
 * rows and counts its own as duplicates.
 *
 * <p>The reconciliation records ({@code refine --check}) stay as the stream recorded them: a
 * rebuild that changes the range's outcome (a fixed rule, a repaired table) is recorded in the
 * event log instead.
 */
public final class SilverBackfill {
  private SilverBackfill() {}

  /**
   * What a rebuild did.
   *
   * @param bronzeRecords the range's records in bronze
   * @param rowsBefore the table's rows of the range before
   * @param rowsAfter after
   * @param quarantinedBefore the range's records in quarantine for the table before
   * @param quarantinedAfter after
   */
  public record Result(
      long bronzeRecords,
      long rowsBefore,
      long rowsAfter,
      long quarantinedBefore,
      long quarantinedAfter) {}

  /**
   * Refuses what a rebuild cannot do, before any data is read.
   *
   * @param today the current date in UTC
   */
  public static void check(SilverTable table, LocalDate from, LocalDate to, LocalDate today) {
    if (table.write().mode() != WriteMode.APPEND) {
      throw new MedallionException(
          table.qualifiedName()
              + " is written in "
              + table.write().mode().name().toLowerCase(java.util.Locale.ROOT)
              + " mode: its rows are the latest state of each key, not the records of a date, so"
              + " a range of dates cannot be rebuilt on its own.",
          "Rebuild the whole table from bronze: stop the pipeline, then run ./lakehouse refine"
              + " --full-refresh --table "
              + table.name()
              + ".");
    }
    if (!to.isBefore(today)) {
      throw new MedallionException(
          "--to "
              + to
              + " is not before today ("
              + today
              + ", UTC): bronze is still ingesting that date's records, and the live stream refines"
              + " them.",
          "Backfill up to yesterday: --to " + today.minusDays(1) + ".");
    }
  }

  /** Rebuilds the table's rows of the records bronze ingested from {@code from} to {@code to}. */
  public static Result run(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      SilverTable table,
      LocalDate from,
      LocalDate to) {
    check(table, from, to, LocalDate.now(java.time.ZoneOffset.UTC));
    TableRefiner refiner =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance()).prepare(table);
    // Bronze's ingestion date and time are both UTC; silver rows carry the ingestion time.
    String range = ingestedBetween(SilverColumns.INGESTED_AT, from, to);
    Dataset<Row> bronze =
        spark
            .read()
            .format("delta")
            .load(lake.table(Layer.BRONZE, table.source().name()))
            .where(
                BronzeContract.INGEST_DATE
                    + " BETWEEN DATE'"
                    + from
                    + "' AND DATE'"
                    + to
                    + "' AND "
                    + ingestedBetween(BronzeContract.INGESTED_AT, from, to));
    Dataset<Row> records =
        bronze
            .select(BronzeContract.TOPIC, BronzeContract.PARTITION, BronzeContract.OFFSET)
            .cache();
    try {
      long bronzeRecords = records.count();
      long rowsBefore =
          spark
              .read()
              .format("delta")
              .load(lake.table(Layer.SILVER, table.name()))
              .where(range)
              .count();
      String quarantined = QuarantineTable.sameRecord(table.qualifiedName());
      long quarantinedBefore =
          QuarantineTable.read(spark, lake)
              .as("t")
              .join(records.as("s"), org.apache.spark.sql.functions.expr(quarantined), "left_semi")
              .count();
      Counts counts =
          refiner.replace(
              bronze,
              range,
              new TableRefiner.Outcome() {
                @Override
                public void beforeWrite(
                    Counts counts, List<RuleResult> results, Dataset<Row> rejects) {
                  // The range's quarantined records give way to its new rejects; a run cut short
                  // here is repaired by running it again.
                  refiner
                      .delta()
                      .retryOnConflict(
                          Pipeline.QUARANTINE_TABLE,
                          () ->
                              DeltaTable.forPath(spark, QuarantineTable.path(lake))
                                  .as("t")
                                  .merge(records.as("s"), quarantined)
                                  .whenMatched()
                                  .delete()
                                  .execute());
                  rejects.write().format("delta").mode("append").save(QuarantineTable.path(lake));
                }
              });
      return new Result(
          bronzeRecords, rowsBefore, counts.accepted(), quarantinedBefore, counts.quarantined());
    } finally {
      records.unpersist();
    }
  }

  private static String ingestedBetween(String column, LocalDate from, LocalDate to) {
    return column
        + " >= TIMESTAMP'"
        + from
        + " 00:00:00' AND "
        + column
        + " < TIMESTAMP'"
        + to.plusDays(1)
        + " 00:00:00'";
  }
}
