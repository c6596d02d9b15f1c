package io.medallion.testkit.faults;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestKafka.Coordinates;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The fault suite's oracle (docs/reliability.md): what must hold after any fault and a restart.
 * Each check fails with the rows that break it.
 */
public final class Oracle {
  private Oracle() {}

  /**
   * Every acknowledged record is in bronze exactly once, and bronze holds nothing that was not
   * produced.
   *
   * @param bronze rows with {@code topic}, {@code partition} and {@code offset}
   * @param acknowledged the records the producer saw acknowledged
   * @param produced every record the producer sent, acknowledged or not yet; bronze is within it
   */
  public static void bronzeExactlyOnce(
      Dataset<Row> bronze, Collection<Coordinates> acknowledged, Collection<Coordinates> produced) {
    List<Coordinates> landed =
        bronze.select("topic", "partition", "offset").collectAsList().stream()
            .map(r -> new Coordinates(r.getString(0), r.getInt(1), r.getLong(2)))
            .toList();
    assertThat(landed).as("bronze: no record twice").doesNotHaveDuplicates();
    Set<Coordinates> inBronze = new HashSet<>(landed);
    assertThat(inBronze).as("bronze: every acknowledged record").containsAll(acknowledged);
    assertThat(new HashSet<>(produced)).as("bronze: only produced records").containsAll(inBronze);
  }

  /**
   * A silver table accounts for every record of its bronze table exactly once: each bronze record
   * is in silver (by its lineage), or in quarantine with a reason, or a second delivery of a key
   * silver holds; and no key is in silver twice.
   *
   * @param bronze the bronze records: {@code partition, offset, key} (key: the silver key parsed
   *     from the payload, null when it does not parse)
   * @param silver the silver rows: {@code partition, offset, key}
   * @param quarantine the source table's quarantined records: {@code partition, offset, reason}
   */
  public static void silverAccountsForBronze(
      String table, Dataset<Row> bronze, Dataset<Row> silver, Dataset<Row> quarantine) {
    assertThat(silver.groupBy("key").count().where("count > 1").collectAsList())
        .as(table + ": no key twice")
        .isEmpty();
    assertThat(quarantine.groupBy("partition", "offset").count().where("count > 1").collectAsList())
        .as(table + ": no record quarantined twice")
        .isEmpty();
    assertThat(quarantine.where("reason IS NULL OR reason = ''").collectAsList())
        .as(table + ": every quarantined record has a reason")
        .isEmpty();
    assertThat(
            silver
                .select("partition", "offset")
                .intersect(quarantine.select("partition", "offset"))
                .collectAsList())
        .as(table + ": no record both in silver and in quarantine")
        .isEmpty();
    Dataset<Row> unaccounted =
        bronze
            .join(
                silver.select("partition", "offset"),
                new String[] {"partition", "offset"},
                "left_anti")
            .join(
                quarantine.select("partition", "offset"),
                new String[] {"partition", "offset"},
                "left_anti")
            .join(silver.selectExpr("key AS silver_key"), expr("key = silver_key"), "left_anti");
    assertThat(unaccounted.limit(20).collectAsList())
        .as(table + ": bronze records neither in silver, nor quarantined, nor duplicates")
        .isEmpty();
    assertThat(
            silver
                .select("partition", "offset")
                .except(bronze.select("partition", "offset"))
                .collectAsList())
        .as(table + ": silver rows all come from bronze")
        .isEmpty();
  }

  /** A table equals its recomputation from its sources, row for row (duplicates included). */
  public static void equalsRecompute(String table, Dataset<Row> actual, Dataset<Row> recomputed) {
    String[] columns = actual.columns();
    Dataset<Row> expected = recomputed.selectExpr(quoted(columns));
    Dataset<Row> present = actual.selectExpr(quoted(columns));
    assertThat(present.exceptAll(expected).limit(20).collectAsList())
        .as(table + ": rows that a recomputation does not give")
        .isEmpty();
    assertThat(expected.exceptAll(present).limit(20).collectAsList())
        .as(table + ": rows of a recomputation that the table lacks")
        .isEmpty();
  }

  private static String[] quoted(String[] columns) {
    return Arrays.stream(columns).map(c -> "`" + c + "`").toArray(String[]::new);
  }
}
