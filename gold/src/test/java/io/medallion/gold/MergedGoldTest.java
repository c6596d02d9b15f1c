package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.Layer;
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
 * A gold table kept by merging each batch's aggregates ({@link IncrementalAggregate}), run as its
 * streaming query on a tiny silver table written directly: each run starts the query again from its
 * checkpoint.
 */
class MergedGoldTest {
  private static final String SPEC =
      GoldTestLake.playsSpec(
          "mergedtest",
          "event_id: string, user_id: string, device: string",
          """
      gold:
        tables:
          daily:
            refresh: incremental
            slice: event_date
            partition_by: [event_date]
            sql: |
              SELECT event_date, device, count(*) AS plays, count(DISTINCT user_id) AS viewers,
                     max(event_time) AS last_play
              FROM silver.plays GROUP BY event_date, device
      """);

  private static final String D1 = "2026-11-19";
  private static final String D2 = "2026-11-20";

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private GoldTestLake lake() {
    return new GoldTestLake(spark, dir, SPEC);
  }

  private GoldTable daily() {
    return lake().table("daily");
  }

  private GoldAggregation aggregation() {
    return lake().aggregation();
  }

  /** Appends plays ('id', 'user', 'device', 'yyyy-MM-dd HH:mm:ss') to silver.plays. */
  private void plays(String... rows) {
    lake()
        .appendSilver(
            "plays",
            "SELECT event_id, user_id, device, CAST(t AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(t AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS v(event_id, user_id, device, t)");
  }

  private void aggregateOnce() {
    lake().aggregateOnce("daily");
  }

  private List<String> gold() {
    return rows(spark.read().format("delta").load(path()));
  }

  private List<String> recomputed() {
    return rows(aggregation().recomputation(daily()));
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows
        .selectExpr(
            "CAST(event_date AS STRING)",
            "device",
            "plays",
            "viewers",
            "date_format(last_play, 'HH:mm')")
        .collectAsList()
        .stream()
        .map(r -> r.mkString(" | "))
        .sorted()
        .toList();
  }

  private String path() {
    return lake().gold("daily");
  }

  @Test
  void eachBatchMergesIntoTheGroupsItTouchesAndDistinctViewersStayExactAcrossRestarts() {
    plays(
        "('p1', 'u1', 'tv', '" + D1 + " 10:00:00')",
        "('p2', 'u2', 'tv', '" + D1 + " 11:00:00')",
        "('p3', 'u1', 'tv', '" + D1 + " 12:00:00')",
        "('p4', 'u1', 'web', '" + D2 + " 09:00:00')");
    aggregateOnce();
    assertThat(gold())
        .containsExactly("2026-11-19 | tv | 3 | 2 | 12:00", "2026-11-20 | web | 1 | 1 | 09:00");
    Map<String, String> before = GoldFiles.perSlice(spark, path());

    // A new query run: u1 and u2 were counted on the 19th by the run before, u3 was not; the
    // 20th gets nothing.
    plays(
        "('p5', 'u2', 'tv', '" + D1 + " 08:00:00')",
        "('p6', 'u3', 'tv', '" + D1 + " 13:00:00')",
        "('p7', 'u1', 'tv', '" + D1 + " 14:00:00')",
        "('p8', 'u3', 'phone', '" + D1 + " 15:00:00')");
    aggregateOnce();

    assertThat(gold())
        .containsExactly(
            "2026-11-19 | phone | 1 | 1 | 15:00",
            "2026-11-19 | tv | 6 | 3 | 14:00",
            "2026-11-20 | web | 1 | 1 | 09:00")
        .isEqualTo(recomputed());
    Row merge = GoldFiles.lastCommit(spark, path());
    assertThat(merge.getString(0)).isEqualTo("MERGE");
    assertThat(merge.<String, String>getJavaMap(1))
        .as("one group updated, one inserted, in the 19th's one file")
        .containsEntry("numTargetRowsUpdated", "1")
        .containsEntry("numTargetRowsInserted", "1")
        .containsEntry("numTargetFilesRemoved", "1");
    assertThat(GoldFiles.perSlice(spark, path()).get(D2))
        .as("the 20th's file stays")
        .isEqualTo(before.get(D2));
  }

  @Test
  void aGroupWithoutASliceMergesLikeAnyOther() {
    plays("('p1', 'u1', 'tv', '" + D1 + " 10:00:00')", "('p2', 'u1', 'tv', NULL)");
    aggregateOnce();
    plays("('p3', 'u2', 'tv', NULL)", "('p4', 'u1', 'tv', NULL)");
    aggregateOnce();

    assertThat(gold())
        .containsExactly("2026-11-19 | tv | 1 | 1 | 10:00", "null | tv | 3 | 2 | null")
        .isEqualTo(recomputed());
  }

  @Test
  void aReplayedBatchMergesNothingTwice() throws Exception {
    plays("('p1', 'u1', 'tv', '" + D1 + " 10:00:00')");
    aggregateOnce();
    plays("('p2', 'u2', 'tv', '" + D1 + " 11:00:00')", "('p3', 'u1', 'tv', '" + D1 + " 12:00:00')");
    aggregateOnce();
    List<String> merged = gold();
    assertThat(merged).containsExactly("2026-11-19 | tv | 3 | 2 | 12:00");

    // The process died after the batch merged, before its checkpoint recorded it: the batch runs
    // again, from the state as it was before it.
    Path last = GoldFiles.forgetLastBatch(lake().lake().checkpoint(Layer.GOLD, "daily"));
    long versions = GoldFiles.versions(spark, path());
    aggregateOnce();

    assertThat(last).as("the batch ran again").exists();
    assertThat(GoldFiles.versions(spark, path()))
        .as("its merge was skipped: the table holds it")
        .isEqualTo(versions);
    assertThat(gold()).isEqualTo(merged).isEqualTo(recomputed());
  }

  @Test
  void aBackfillRebuildsFromWhereTheMergedBatchesStandSoTheNextBatchAddsOnlyTheRest() {
    plays(
        "('p1', 'u1', 'tv', '" + D1 + " 10:00:00')", "('p2', 'u2', 'web', '" + D2 + " 10:00:00')");
    aggregateOnce();
    // A bad deploy damaged the 19th; then plays arrive that no batch has read yet.
    spark
        .sql(
            "SELECT DATE'"
                + D1
                + "' AS event_date, 'tv' AS device, 99L AS plays, 99L AS viewers,"
                + " TIMESTAMP'2026-11-19 23:59:00' AS last_play")
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "event_date = DATE'" + D1 + "'")
        .save(path());
    plays("('p3', 'u3', 'tv', '" + D1 + " 11:00:00')", "('p4', 'u1', 'tv', '" + D1 + " 12:00:00')");

    List<LocalDate> rebuilt =
        aggregation()
            .backfill(daily(), Optional.of(LocalDate.parse(D1)), Optional.of(LocalDate.parse(D1)));

    assertThat(rebuilt).containsExactly(LocalDate.parse(D1));
    assertThat(gold())
        .as("the 19th as the merged batches had read it: p3 and p4 are the next batch's")
        .containsExactly("2026-11-19 | tv | 1 | 1 | 10:00", "2026-11-20 | web | 1 | 1 | 10:00");
    aggregateOnce();
    assertThat(gold())
        .containsExactly("2026-11-19 | tv | 3 | 2 | 12:00", "2026-11-20 | web | 1 | 1 | 10:00")
        .isEqualTo(recomputed());
  }

  @Test
  void aFullRefreshRebuildsTheTableThroughANewCheckpoint() {
    plays("('p1', 'u1', 'tv', '" + D1 + " 10:00:00')", "('p2', 'u1', 'tv', '" + D1 + " 11:00:00')");
    aggregateOnce();
    GoldAggregation aggregation = aggregation();

    aggregation.fullRefresh(daily());
    plays("('p3', 'u2', 'tv', '" + D1 + " 12:00:00')");
    lake().aggregateOnce(aggregation, "daily");

    assertThat(gold()).containsExactly("2026-11-19 | tv | 3 | 2 | 12:00").isEqualTo(recomputed());
  }
}
