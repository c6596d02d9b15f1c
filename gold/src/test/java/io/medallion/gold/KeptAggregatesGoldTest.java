package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gold table computed from an aggregation it keeps apart (a ranking over per-hour counts): each
 * batch merges its counts into the kept aggregates and ranks again only the slices it touched. Run
 * as its streaming query on a tiny silver table written directly.
 */
class KeptAggregatesGoldTest {
  private static final String SPEC =
      GoldTestLake.playsSpec(
          "kepttest",
          "event_id: string, device: string",
          """
      gold:
        tables:
          top_devices:
            refresh: incremental
            slice: event_date
            partition_by: [event_date]
            sql: |
              WITH counts AS (
                SELECT date_trunc('HOUR', event_time) AS hour, event_date, device,
                       count(*) AS plays
                FROM silver.plays
                GROUP BY date_trunc('HOUR', event_time), event_date, device),
              ranked AS (
                SELECT *, row_number() OVER (PARTITION BY event_date, hour
                                             ORDER BY plays DESC, device) AS rank
                FROM counts)
              SELECT hour, event_date, rank, device, plays FROM ranked WHERE rank <= 2
          mean_hour:
            refresh: incremental
            slice: event_date
            sql: |
              SELECT event_date, device, avg(hour(event_time)) AS mean_hour, count(*) AS plays
              FROM silver.plays GROUP BY event_date, device
      """);

  private static final String D1 = "2026-11-19";
  private static final String D2 = "2026-11-20";

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private GoldTestLake lake() {
    return new GoldTestLake(spark, dir, SPEC);
  }

  private GoldTable table() {
    return lake().table("top_devices");
  }

  private GoldAggregation aggregation() {
    return lake().aggregation();
  }

  /** Appends plays ('id', 'device', 'yyyy-MM-dd HH:mm:ss') to silver.plays. */
  private void plays(String... rows) {
    lake()
        .appendSilver(
            "plays",
            "SELECT event_id, device, CAST(t AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(t AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS v(event_id, device, t)");
  }

  private static String play(String id, String device, String date, String time) {
    return "('" + id + "', '" + device + "', '" + date + " " + time + "')";
  }

  private void aggregateOnce() {
    lake().aggregateOnce("top_devices");
  }

  private String path() {
    return lake().gold("top_devices");
  }

  private String kept() {
    return GoldTableRefresher.keptAggregates(lake().lake(), table());
  }

  private List<String> gold() {
    return rows(spark.read().format("delta").load(path()));
  }

  private List<String> recomputed() {
    return rows(aggregation().recomputation(table()));
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows
        .selectExpr("date_format(hour, 'MM-dd HH')", "rank", "device", "plays")
        .collectAsList()
        .stream()
        .map(r -> r.mkString(" | "))
        .sorted()
        .toList();
  }

  @Test
  void aBatchMergesItsCountsIntoTheKeptAggregatesAndRanksAgainOnlyTheSlicesItTouched() {
    plays(
        play("p1", "tv", D1, "10:00:00"),
        play("p2", "tv", D1, "10:10:00"),
        play("p3", "web", D1, "10:20:00"),
        play("p4", "phone", D1, "10:30:00"),
        play("p5", "tv", D2, "09:00:00"));
    aggregateOnce();
    assertThat(gold())
        .containsExactly(
            "11-19 10 | 1 | tv | 2", "11-19 10 | 2 | phone | 1", "11-20 09 | 1 | tv | 1");
    Map<String, String> before = GoldFiles.perSlice(spark, path());

    // The web player overtakes the television on the 19th; the 20th gets nothing.
    plays(
        play("p6", "web", D1, "10:40:00"),
        play("p7", "web", D1, "10:50:00"),
        play("p8", "console", D1, "11:00:00"));
    aggregateOnce();

    assertThat(gold())
        .containsExactly(
            "11-19 10 | 1 | web | 3",
            "11-19 10 | 2 | tv | 2",
            "11-19 11 | 1 | console | 1",
            "11-20 09 | 1 | tv | 1")
        .isEqualTo(recomputed());
    Row merge = GoldFiles.lastCommit(spark, kept());
    assertThat(merge.getString(0)).isEqualTo("MERGE");
    assertThat(merge.<String, String>getJavaMap(1))
        .as("the kept counts: web's hour updated, console's inserted, in the 19th's one file")
        .containsEntry("numTargetRowsUpdated", "1")
        .containsEntry("numTargetRowsInserted", "1")
        .containsEntry("numTargetFilesRemoved", "1");
    Row ranked = GoldFiles.lastCommit(spark, path());
    assertThat(ranked.getString(0)).isEqualTo("WRITE");
    assertThat(ranked.<String, String>getJavaMap(1))
        .as("the 19th's ranking replaced: its one file out, one in")
        .containsEntry("numRemovedFiles", "1")
        .containsEntry("numOutputRows", "3");
    assertThat(GoldFiles.perSlice(spark, path()).get(D2))
        .as("the 20th's file stays")
        .isEqualTo(before.get(D2));
  }

  @Test
  void anAverageIsKeptAsItsSumAndCountAndEachBatchMergesThem() {
    GoldTable means = lake().table("mean_hour");
    String kept = GoldTableRefresher.keptAggregates(lake().lake(), means);
    plays(
        play("p1", "tv", D1, "10:00:00"),
        play("p2", "tv", D1, "11:00:00"),
        play("p3", "web", D1, "10:20:00"));
    lake().aggregateOnce("mean_hour");
    plays(play("p4", "tv", D1, "15:00:00"));

    lake().aggregateOnce("mean_hour");

    Dataset<Row> table = spark.read().format("delta").load(lake().gold("mean_hour"));
    assertThat(table.columns())
        .as("the sum and count stay in the kept aggregates")
        .containsExactly("event_date", "device", "mean_hour", "plays");
    assertThat(meansOf(table))
        .containsExactly("2026-11-19 | tv | 12.0 | 3", "2026-11-19 | web | 10.0 | 1")
        .isEqualTo(meansOf(aggregation().recomputation(means)));
    assertThat(
            spark
                .read()
                .format("delta")
                .load(kept)
                .where("device = 'tv'")
                .selectExpr("__avg_sum_0", "__avg_count_0")
                .first()
                .mkString(" | "))
        .isEqualTo("36 | 3");
    Row merge = GoldFiles.lastCommit(spark, kept);
    assertThat(merge.getString(0)).isEqualTo("MERGE");
    assertThat(merge.<String, String>getJavaMap(1))
        .as("only the television's group merged")
        .containsEntry("numTargetRowsUpdated", "1")
        .containsEntry("numTargetRowsInserted", "0");
  }

  private static List<String> meansOf(Dataset<Row> rows) {
    return rows
        .selectExpr("CAST(event_date AS STRING)", "device", "mean_hour", "plays")
        .collectAsList()
        .stream()
        .map(r -> r.mkString(" | "))
        .sorted()
        .toList();
  }

  @Test
  void aBackfillRebuildsTheKeptAggregatesAndTheRankingFromThem() {
    plays(play("p1", "tv", D1, "10:00:00"), play("p2", "web", D2, "10:00:00"));
    aggregateOnce();
    // The kept counts of the 19th were damaged; then a play arrives that no batch has read yet.
    spark
        .sql(
            "SELECT TIMESTAMP'"
                + D1
                + " 10:00:00' AS hour, DATE'"
                + D1
                + "' AS event_date, 'tv' AS device, 99L AS plays")
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "event_date = DATE'" + D1 + "'")
        .save(kept());
    plays(play("p3", "tv", D1, "10:30:00"));

    List<LocalDate> rebuilt =
        aggregation()
            .backfill(table(), Optional.of(LocalDate.parse(D1)), Optional.of(LocalDate.parse(D1)));

    assertThat(rebuilt).containsExactly(LocalDate.parse(D1));
    assertThat(gold())
        .as("the 19th as the merged batches had read it: p3 is the next batch's")
        .containsExactly("11-19 10 | 1 | tv | 1", "11-20 10 | 1 | web | 1");
    aggregateOnce();
    assertThat(gold())
        .containsExactly("11-19 10 | 1 | tv | 2", "11-20 10 | 1 | web | 1")
        .isEqualTo(recomputed());
  }

  @Test
  void aFullRefreshStartsTheKeptAggregatesAgainWithTheCheckpoint() {
    plays(play("p1", "tv", D1, "10:00:00"));
    aggregateOnce();
    GoldAggregation aggregation = aggregation();

    aggregation.fullRefresh(table());
    plays(play("p2", "web", D1, "10:05:00"), play("p3", "web", D1, "10:10:00"));
    lake().aggregateOnce(aggregation, "top_devices");

    assertThat(gold())
        .containsExactly("11-19 10 | 1 | web | 2", "11-19 10 | 2 | tv | 1")
        .isEqualTo(recomputed());
    assertThat(aggregation.howKept(table()))
        .isEqualTo(
            "keeps its aggregates by group, merging each batch, and recomputes from them the"
                + " slices a batch touches");
  }
}
