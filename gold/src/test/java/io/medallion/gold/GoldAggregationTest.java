package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gold backfills and the checks before them, in batch mode on a tiny silver table. */
class GoldAggregationTest {
  private static final String SPEC =
      GoldTestLake.playsSpec(
          "aggregationtest",
          "event_id: string",
          """
      gold:
        tables:
          daily:
            refresh: incremental
            slice: event_date
            sql: SELECT event_date, count(*) AS plays FROM silver.plays GROUP BY event_date
          total:
            refresh: full
            sql: SELECT count(*) AS plays FROM silver.plays
          broken:
            refresh: full
            sql: SELECT nope FROM silver.plays
          no_slice:
            refresh: incremental
            slice: event_date
            sql: SELECT count(*) AS plays FROM silver.plays
          by_play_day:
            refresh: incremental
            slice: play_day
            sql: |
              SELECT to_date(event_time) AS play_day, count(*) AS plays
              FROM silver.plays GROUP BY to_date(event_time)
          by_busy_play_day:
            refresh: incremental
            slice: play_day
            sql: |
              SELECT to_date(event_time) AS play_day, count(*) AS plays
              FROM silver.plays GROUP BY to_date(event_time) HAVING count(*) > 1
          of_total:
            refresh: full
            sql: SELECT plays * 2 AS doubled FROM gold.total
          of_of_total:
            refresh: full
            sql: SELECT doubled FROM gold.of_total
          no_event_time:
            refresh: streaming
            slice: event_date
            watermark: 1h
            event_time: played_at
            sql: SELECT event_date, count(*) AS plays FROM silver.plays GROUP BY event_date
          hourly:
            refresh: streaming
            slice: event_date
            watermark: 10m
            window: {column: window_start, size: 1h}
            sql: |
              SELECT event_date, date_trunc('HOUR', event_time) AS window_start, count(*) AS plays
              FROM silver.plays GROUP BY event_date, date_trunc('HOUR', event_time)
          window_not_a_time:
            refresh: streaming
            slice: event_date
            watermark: 1h
            window:
              column: event_date
              size: 1h
            sql: SELECT event_date, count(*) AS plays FROM silver.plays GROUP BY event_date
      """);

  private static final LocalDate D1 = LocalDate.of(2026, 11, 19);
  private static final LocalDate D2 = LocalDate.of(2026, 11, 20);

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private GoldTestLake test() {
    return new GoldTestLake(spark, dir, SPEC);
  }

  private LakeLayout lake() {
    return test().lake();
  }

  private Pipeline pipeline() {
    return test().pipeline();
  }

  private GoldAggregation aggregation() {
    return test().aggregation();
  }

  private GoldTable table(String name) {
    return test().table(name);
  }

  /** Appends one play per date given as 'yyyy-MM-dd'. */
  private void plays(String... dates) {
    test()
        .appendSilver(
            "plays",
            "SELECT uuid() AS event_id, CAST(d AS TIMESTAMP) AS event_time, CAST(d AS DATE) AS"
                + " event_date FROM VALUES ('"
                + String.join("'), ('", dates)
                + "') AS v(d)");
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows.orderBy(rows.columns()[0]).collectAsList().stream().map(Row::toString).toList();
  }

  private List<String> gold(String name) {
    return rows(spark.read().format("delta").load(lake().table(Layer.GOLD, name)));
  }

  @Test
  void aBackfillBetweenTwoDatesRebuildsExactlyThoseSlices() {
    plays("2026-11-19", "2026-11-20", "2026-11-21");
    assertThat(aggregation().backfill(table("daily"), Optional.empty(), Optional.empty()))
        .isEmpty();
    plays("2026-11-19", "2026-11-20", "2026-11-21");

    List<LocalDate> rebuilt =
        aggregation().backfill(table("daily"), Optional.of(D1), Optional.of(D2));

    assertThat(rebuilt).containsExactly(D1, D2);
    assertThat(gold("daily")).containsExactly("[2026-11-19,2]", "[2026-11-20,2]", "[2026-11-21,1]");
  }

  @Test
  void aFullTableIsAlwaysRebuiltWhole() {
    plays("2026-11-19", "2026-11-20");

    assertThat(aggregation().backfill(table("total"), Optional.of(D1), Optional.of(D1))).isEmpty();

    assertThat(gold("total")).containsExactly("[2]");
  }

  @Test
  void theRecomputationIsTheQueryOverSilverAsItIsNow() {
    plays("2026-11-19", "2026-11-19", "2026-11-20");

    assertThat(rows(aggregation().recomputation(table("daily"))))
        .containsExactly("[2026-11-19,2]", "[2026-11-20,1]");
  }

  @Test
  void locationsFollowTheLakeLayout() {
    assertThat(aggregation().location("silver.plays"))
        .isEqualTo(lake().table(Layer.SILVER, "plays"));
    assertThat(aggregation().location("_system.gold_late_slices"))
        .isEqualTo(lake().system("gold_late_slices"));
    assertThat(GoldAggregation.queryName(table("daily"))).isEqualTo("gold.daily");
  }

  @Test
  void aSourceThatDoesNotExistYetIsNamedWithWhatToRunFirst() {
    assertThatThrownBy(
            () -> aggregation().backfill(table("daily"), Optional.empty(), Optional.empty()))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "gold.daily reads silver.plays, which does not exist yet at "
                + lake().table(Layer.SILVER, "plays")
                + ".\n"
                + "  Fix: Refine silver first: ./lakehouse refine --once (or ./lakehouse run"
                + " --once, which runs every layer).");
  }

  @Test
  void aQueryThatDoesNotRunIsASpecErrorAtItsLine() {
    plays("2026-11-19");

    assertThatThrownBy(
            () -> aggregation().backfill(table("broken"), Optional.empty(), Optional.empty()))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            dir.resolve("pipeline.yaml")
                + ":27 [gold.tables.broken.sql]: the query of gold.broken does not run: ")
        .hasMessageContaining("`nope`")
        .hasMessageEndingWith(
            "\n  Fix: Use the columns of its sources (silver.plays), each named layer.table as"
                + " analysts name them.");
    assertThat(dir.resolve("lake/gold/broken")).doesNotExist();
  }

  @Test
  void anIncrementalTableNeedsTheSliceInItsOutputAndAStreamingOneTheEventTimeInItsSources() {
    plays("2026-11-19");

    assertThatThrownBy(
            () -> aggregation().backfill(table("no_slice"), Optional.empty(), Optional.empty()))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + " [gold.tables.no_slice]: column 'event_date' of gold.no_slice is not in its"
                + " output\n"
                + "  Fix: Every source and the output need the slice column (and, for streaming,"
                + " the event time), except for an incremental table that is one aggregation"
                + " grouped by its slice, which needs it only in the output.");
    assertThatThrownBy(
            () ->
                aggregation().backfill(table("no_event_time"), Optional.empty(), Optional.empty()))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            dir.resolve("pipeline.yaml")
                + " [gold.tables.no_event_time]: column 'played_at' of gold.no_event_time is not"
                + " in silver.plays\n");
  }

  @Test
  void aTableMergedByGroupNeedsItsSliceOnlyInItsOutputOneRecomputedAlsoInItsSources() {
    plays("2026-11-19", "2026-11-20", "2026-11-20");

    aggregation().backfill(table("by_play_day"), Optional.empty(), Optional.empty());

    assertThat(gold("by_play_day")).containsExactly("[2026-11-19,1]", "[2026-11-20,2]");
    assertThatThrownBy(
            () ->
                aggregation()
                    .backfill(table("by_busy_play_day"), Optional.empty(), Optional.empty()))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            dir.resolve("pipeline.yaml")
                + " [gold.tables.by_busy_play_day]: column 'play_day' of gold.by_busy_play_day is"
                + " not in silver.plays\n");
  }

  @Test
  void howATableIsKeptSaysWhatAStreamingOneCloses() {
    plays("2026-11-19");

    assertThat(aggregation().howKept(table("hourly")))
        .isEqualTo(
            "keeps its aggregates by group, merging each batch, and recomputes from them the"
                + " slices a batch touches; closes its 1h windows one by one 10m behind the newest"
                + " event time");
    assertThat(aggregation().howKept(table("daily"))).isEqualTo("merges each batch by group");
  }

  @Test
  void aStreamingTableOfWindowsNeedsTheirStartAsATimestampInItsOutput() {
    plays("2026-11-19");

    assertThatThrownBy(() -> aggregation().analyse(table("window_not_a_time")))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + " [gold.tables.window_not_a_time.window.column]: window column 'event_date' is"
                + " not a TIMESTAMP column of gold.window_not_a_time's output\n"
                + "  Fix: Name the output column holding each row's window start, such as"
                + " date_trunc('HOUR', event_time) AS window_start for 1h windows.");
  }

  @Test
  void theReadersOfATableAreTheGoldTablesThatReadItDirectlyOrThroughOthersInSpecOrder() {
    List<GoldTable> all = pipeline().goldTables();
    List<GoldTable> total = List.of(pipeline().goldTable("total").orElseThrow());

    assertThat(GoldAggregation.readers(total, all).stream().map(GoldTable::name))
        .containsExactly("of_total", "of_of_total");
    assertThat(GoldAggregation.readers(List.of(pipeline().goldTable("daily").orElseThrow()), all))
        .isEmpty();
  }
}
