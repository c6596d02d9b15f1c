package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.Layer;
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

/**
 * A gold table whose query joins a fact table with a dimension that is rewritten in place ({@link
 * IncrementalAggregate#joined}, {@link SourceChanges}): each batch merges the change of the join,
 * whether new plays, a rewritten dimension or both made it. Run as its streaming query on tiny
 * silver tables written directly; each run starts the query again from its checkpoint.
 */
class JoinedGoldTest {
  private static final String SPEC =
      GoldTestLake.playsSpec(
              "joinedtest",
              "event_id: string, title_id: string",
              """
      gold:
        tables:
          kind_daily:
            refresh: incremental
            slice: event_date
            sql: |
              SELECT t.kind, p.event_date, count(*) AS plays
              FROM silver.plays p JOIN silver.titles t ON t.title_id = p.title_id
              GROUP BY t.kind, p.event_date
      """)
          .replace(
              "sources:\n  plays: {topic: plays}\n",
              "sources:\n  plays: {topic: plays}\n  titles: {topic: titles}\n")
          .replace(
              "    plays: {source: plays}\n",
              "    plays: {source: plays}\n    titles: {source: titles}\n")
          .replace(
              "silver:\n  tables:\n",
              """
                  silver:
                    tables:
                      titles:
                        source: titles
                        payload:
                          schema: {title_id: string, kind: string, seq: bigint}
                        write: {mode: scd1, keys: [title_id], sequence_by: seq}
                  """);

  private static final String D1 = "2026-11-19";
  private static final String D2 = "2026-11-20";

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private GoldTestLake lake() {
    return new GoldTestLake(spark, dir, SPEC);
  }

  private GoldTable table() {
    return lake().table("kind_daily");
  }

  /** Appends plays ('id', 'title', 'yyyy-MM-dd HH:mm:ss') to silver.plays. */
  private void plays(String... rows) {
    lake()
        .appendSilver(
            "plays",
            "SELECT event_id, title_id, CAST(t AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(t AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS v(event_id, title_id, t)");
  }

  /** Appends titles ('id', 'kind') to silver.titles. */
  private void titles(String... rows) {
    lake()
        .appendSilver(
            "titles",
            "SELECT title_id, kind, 1L AS seq FROM VALUES "
                + String.join(", ", rows)
                + " AS v(title_id, kind)");
  }

  private DeltaTable titlesTable() {
    return DeltaTable.forPath(spark, lake().lake().table(Layer.SILVER, "titles"));
  }

  /** Rewrites the kind of a title in place, as an SCD1 merge does. */
  private void retitle(String title, String kind) {
    titlesTable()
        .update(
            org.apache.spark.sql.functions.expr("title_id = '" + title + "'"),
            java.util.Map.of("kind", org.apache.spark.sql.functions.lit(kind)));
  }

  private void aggregateOnce() {
    lake().aggregateOnce("kind_daily");
  }

  private List<String> gold() {
    return rows(spark.read().format("delta").load(lake().gold("kind_daily")));
  }

  private List<String> recomputed() {
    return rows(lake().aggregation().recomputation(table()));
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows.selectExpr("kind", "CAST(event_date AS STRING)", "plays").collectAsList().stream()
        .map(r -> r.mkString(" | "))
        .sorted()
        .toList();
  }

  private void setup() {
    titles("('t1', 'film')", "('t2', 'series')");
    plays(
        "('p1', 't1', '" + D1 + " 10:00:00')",
        "('p2', 't1', '" + D2 + " 10:00:00')",
        "('p3', 't2', '" + D1 + " 11:00:00')");
    aggregateOnce();
    assertThat(gold())
        .containsExactly(
            "film | 2026-11-19 | 1", "film | 2026-11-20 | 1", "series | 2026-11-19 | 1");
  }

  @Test
  void newPlaysAndARewrittenDimensionInOneBatchMergeTheChangeOfTheJoin() {
    setup();

    // In one batch: t1 becomes a series (a rewrite the plays' stream does not see), a new title
    // arrives, and new plays, one of them of the title rewritten.
    retitle("t1", "series");
    titles("('t3', 'short')");
    plays("('p4', 't1', '" + D1 + " 12:00:00')", "('p5', 't3', '" + D2 + " 12:00:00')");
    aggregateOnce();

    assertThat(gold())
        .containsExactly(
            "series | 2026-11-19 | 3", "series | 2026-11-20 | 1", "short | 2026-11-20 | 1")
        .isEqualTo(recomputed());
    Row merge = GoldFiles.lastCommit(spark, lake().gold("kind_daily"));
    assertThat(merge.getString(0)).isEqualTo("MERGE");
    assertThat(merge.<String, String>getJavaMap(1))
        .as("film's two days left without plays, series' two days and short's one changed")
        .containsEntry("numTargetRowsDeleted", "2")
        .containsEntry("numTargetRowsUpdated", "1")
        .containsEntry("numTargetRowsInserted", "2");
  }

  @Test
  void aDimensionChangeJoinsOnlyTheFactRowsItsJoinKeysMeet() {
    setup();
    lake().aggregation().whyRecomputed(table()); // registers the tables the query names
    IncrementalAggregate plan = IncrementalAggregate.of(spark, table()).plan().orElseThrow();
    Dataset<Row> plays =
        spark.read().format("delta").load(lake().lake().table(Layer.SILVER, "plays"));
    Dataset<Row> added = spark.sql("SELECT 't2' AS title_id, 'film' AS kind, 2L AS seq");
    Dataset<Row> removed = spark.sql("SELECT 't2' AS title_id, 'series' AS kind, 1L AS seq");

    Dataset<Row> met =
        SourceChanges.meeting(
                spark,
                plan,
                java.util.Map.of("silver.plays", plays),
                "silver.titles",
                added,
                removed)
            .get("silver.plays");

    assertThat(met.select("event_id").collectAsList())
        .map(r -> r.getString(0))
        .containsExactly("p3");
  }

  @Test
  void aDeletedDimensionRowTakesItsPlaysOutOfTheirGroups() {
    setup();

    titlesTable().delete("title_id = 't2'");
    aggregateOnce();

    assertThat(gold())
        .containsExactly("film | 2026-11-19 | 1", "film | 2026-11-20 | 1")
        .isEqualTo(recomputed());
  }

  @Test
  void aReplayedBatchOfADimensionChangeMergesNothingTwice() throws Exception {
    setup();
    retitle("t2", "film");
    aggregateOnce();
    List<String> merged = gold();
    assertThat(merged).containsExactly("film | 2026-11-19 | 2", "film | 2026-11-20 | 1");

    // The process died after the batch merged, before its checkpoint recorded it; meanwhile the
    // dimension changed again. The batch runs again on the versions its offsets name, merging
    // nothing; the next batch takes the new change.
    Path last = GoldFiles.forgetLastBatch(lake().lake().checkpoint(Layer.GOLD, "kind_daily"));
    retitle("t1", "short");
    aggregateOnce();

    assertThat(last).as("the batch ran again").exists();
    assertThat(gold())
        .containsExactly(
            "film | 2026-11-19 | 1", "short | 2026-11-19 | 1", "short | 2026-11-20 | 1")
        .isEqualTo(recomputed());
  }

  @Test
  void aBackfillRebuildsAJoinedTableFromTheVersionsItsBatchesRead() {
    setup();
    retitle("t2", "film");

    List<LocalDate> rebuilt =
        lake()
            .aggregation()
            .backfill(table(), Optional.of(LocalDate.parse(D1)), Optional.of(LocalDate.parse(D2)));

    assertThat(rebuilt).containsExactly(LocalDate.parse(D1), LocalDate.parse(D2));
    assertThat(gold())
        .as("as the merged batch read the titles: the rewrite is the next batch's")
        .containsExactly(
            "film | 2026-11-19 | 1", "film | 2026-11-20 | 1", "series | 2026-11-19 | 1");
    aggregateOnce();
    assertThat(gold())
        .containsExactly("film | 2026-11-19 | 2", "film | 2026-11-20 | 1")
        .isEqualTo(recomputed());
  }
}
