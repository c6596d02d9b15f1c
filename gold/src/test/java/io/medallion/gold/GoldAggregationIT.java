package io.medallion.gold;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.delta.tables.DeltaTable;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference pipeline's gold tables on silver tables written directly with known rows: each
 * equals its definition worked out by hand, and incremental and streaming refreshes (with late
 * events) end equal to a full recompute.
 */
class GoldAggregationIT {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  /**
   * The reference pipeline, with auto compaction off for one gold table: the policy the first batch
   * gives the table it creates.
   */
  private final Pipeline pipeline = referenceWithoutAutoCompaction("gold.trending_now");

  private static Pipeline referenceWithoutAutoCompaction(String table) {
    Path reference = Path.of("../pipelines/engagement/pipeline.yaml");
    try {
      String yaml = Files.readString(reference);
      String entry = "\n    " + table + ":\n";
      assertThat(yaml).contains(entry);
      return PipelineLoader.parse(
          reference, yaml.replace(entry, entry + "      auto_compact: false\n"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String autoCompaction(LakeLayout lake, GoldTable table) {
    return spark
        .sql("SHOW TBLPROPERTIES delta.`" + lake.table(Layer.GOLD, table.name()) + "`")
        .where("key = '" + TableMaintenance.AUTO_COMPACT + "'")
        .select("value")
        .as(org.apache.spark.sql.Encoders.STRING())
        .first();
  }

  private static final String PLAYS_SCHEMA =
      "event_id, user_id, title_id, device, country, event_type, position_s, event_time";

  private void appendPlays(LakeLayout lake, String... rows) {
    spark
        .sql(
            "SELECT event_id, user_id, title_id, device, country, event_type,"
                + " CAST(position_s AS INT) AS position_s, CAST(event_time AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(event_time AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS t("
                + PLAYS_SCHEMA
                + ")")
        .write()
        .format("delta")
        .mode("append")
        .save(lake.table(Layer.SILVER, "plays"));
  }

  private void appendImpressions(LakeLayout lake, String... rows) {
    spark
        .sql(
            "SELECT event_id, user_id, title_id, row_name, CAST(rank AS INT) AS rank, action,"
                + " country, CAST(event_time AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(event_time AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS t(event_id, user_id, title_id, row_name, rank, action, country, event_time)")
        .write()
        .format("delta")
        .mode("append")
        .save(lake.table(Layer.SILVER, "impressions"));
  }

  private LakeLayout knownSilver() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    appendPlays(
        lake,
        "('p1', 'u1', 't1', 'tv', 'US', 'start', 0, '2026-11-20 10:05:00')",
        "('p2', 'u1', 't1', 'tv', 'US', 'stop', 1200, '2026-11-20 10:25:00')",
        "('p3', 'u2', 't1', 'tv', 'US', 'start', 0, '2026-11-20 10:40:00')",
        "('p4', 'u2', 't1', 'phone', 'US', 'heartbeat', 300, '2026-11-20 10:45:00')",
        "('p5', 'u3', 't2', 'web', 'BR', 'start', 0, '2026-11-20 10:10:00')",
        "('p6', 'u3', 't2', 'web', 'BR', 'stop', 50, '2026-11-20 11:10:00')",
        "('p7', 'u1', 't2', 'tv', 'US', 'start', 0, '2026-11-21 00:30:00')",
        "('p8', 'u4', 't3', 'tv', 'US', 'start', 0, '2026-11-20 10:50:00')",
        "('p9', 'u7', 't4', 'tv', 'US', 'start', 0, '2026-11-20 10:55:00')",
        "('p10', 'u8', 't0', 'tv', 'US', 'start', 0, '2026-11-20 10:56:00')");
    appendImpressions(
        lake,
        "('i1', 'u5', 't3', 'r', 1, 'click', 'US', '2026-11-20 10:15:00')",
        "('i2', 'u5', 't3', 'r', 2, 'view', 'US', '2026-11-20 10:16:00')",
        "('i3', 'u2', 't2', 'r', 1, 'click', 'US', '2026-11-20 10:20:00')",
        "('i4', 'u6', 't1', 'r', 3, 'view', 'BR', '2026-11-20 11:30:00')",
        "('i5', 'u6', 't2', 'r', 1, 'click', 'BR', '2026-11-20 10:59:00')");
    spark
        .sql(
            "SELECT op, title_id, genres, CAST(seq AS BIGINT) AS seq,"
                + " CAST(valid_from AS TIMESTAMP) AS valid_from,"
                + " CAST(valid_to AS TIMESTAMP) AS valid_to, is_current FROM VALUES"
                + " ('c', 't1', array('drama', 'comedy'), 1, '2026-11-20 10:00:00',"
                + "   '2026-11-20 10:30:00', false),"
                + " ('u', 't1', array('thriller'), 2, '2026-11-20 10:30:00', NULL, true),"
                + " ('c', 't2', array('drama'), 1, '2026-11-20 09:00:00', NULL, true),"
                + " ('c', 't3', array('comedy'), 1, '2026-11-20 09:00:00',"
                + "   '2026-11-20 10:45:00', false),"
                + " ('d', 't3', array('comedy'), 2, '2026-11-20 10:45:00',"
                + "   '2026-11-20 10:45:00', false)"
                + " AS t(op, title_id, genres, seq, valid_from, valid_to, is_current)")
        .write()
        .format("delta")
        .save(lake.table(Layer.SILVER, "titles_history"));
    spark
        .sql(
            "SELECT tbl AS `table`, rule, 'quarantine' AS action, 'run' AS run_id,"
                + " CAST(batch_id AS BIGINT) AS batch_id, CAST(passed AS BIGINT) AS passed,"
                + " CAST(failed AS BIGINT) AS failed, CAST(recorded_at AS TIMESTAMP) AS recorded_at"
                + " FROM VALUES"
                + " ('silver.plays', 'ids_not_null', 0, 10, 1, '2026-11-20 12:00:00'),"
                + " ('silver.plays', 'ids_not_null', 1, 5, 0, '2026-11-20 13:00:00'),"
                + " ('silver.plays', 'ids_not_null', 2, 7, 2, '2026-11-21 01:00:00'),"
                + " ('silver.plays', 'parse', 0, 11, 0, '2026-11-20 12:00:00')"
                + " AS t(tbl, rule, batch_id, passed, failed, recorded_at)")
        .write()
        .format("delta")
        .save(lake.system("expectation_results"));
    return lake;
  }

  private List<String> rows(Dataset<Row> rows, String... columns) {
    return rows.selectExpr(columns).collectAsList().stream()
        .map(
            r ->
                IntStream.range(0, r.size())
                    .mapToObj(i -> String.valueOf(r.get(i)))
                    .collect(Collectors.joining(" | ")))
        .sorted()
        .toList();
  }

  private List<String> gold(LakeLayout lake, String table, String... columns) {
    return rows(spark.read().format("delta").load(lake.table(Layer.GOLD, table)), columns);
  }

  private void aggregateOnce(LakeLayout lake) {
    StreamRunner.awaitAll(
        new GoldAggregation(spark, lake, pipeline.tables())
            .startAll(pipeline.goldTables(), true, EventSink.NONE),
        () -> false,
        Duration.ofSeconds(30));
  }

  /** Starts one gold table's continuous query, with a short trigger interval. */
  private List<RunningQuery> startContinuously(LakeLayout lake, String table) {
    Pipeline fast = pipeline.with(Overrides.triggerInterval(Optional.of(Duration.ofMillis(300))));
    return new GoldAggregation(spark, lake, fast.tables())
        .startAll(List.of(fast.goldTable(table).orElseThrow()), false, EventSink.NONE);
  }

  private void assertEqualsRecompute(LakeLayout lake) {
    assertEqualsRecompute(lake, pipeline.goldTables());
  }

  private void assertEqualsRecompute(LakeLayout lake, List<GoldTable> tables) {
    GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
    for (GoldTable t : tables) {
      Dataset<Row> recomputed = aggregation.recomputation(t);
      String[] columns =
          Arrays.stream(recomputed.columns()).map(c -> "`" + c + "`").toArray(String[]::new);
      assertThat(gold(lake, t.name(), columns))
          .as(t.qualifiedName())
          .isEqualTo(rows(recomputed, columns));
    }
  }

  @Test
  void eachReferenceGoldTableEqualsItsDefinitionWorkedOutByHand() {
    LakeLayout lake = knownSilver();
    aggregateOnce(lake);

    // Each table was created by its first batch with its policy's auto compaction.
    for (GoldTable t : pipeline.goldTables()) {
      assertThat(autoCompaction(lake, t))
          .as(t.qualifiedName())
          .isEqualTo(t.qualifiedName().equals("gold.trending_now") ? "false" : "true");
    }
    assertThat(
            gold(
                lake,
                "title_daily_engagement",
                "title_id",
                "event_date",
                "device",
                "plays",
                "viewers",
                "watch_seconds"))
        .containsExactly(
            "t0 | 2026-11-20 | tv | 1 | 1 | 0",
            "t1 | 2026-11-20 | phone | 0 | 1 | 0",
            "t1 | 2026-11-20 | tv | 2 | 2 | 1200",
            "t2 | 2026-11-20 | web | 1 | 1 | 50",
            "t2 | 2026-11-21 | tv | 1 | 1 | 0",
            "t3 | 2026-11-20 | tv | 1 | 1 | 0",
            "t4 | 2026-11-20 | tv | 1 | 1 | 0");
    assertThat(
            gold(
                lake,
                "country_hourly_activity",
                "country",
                "CAST(event_hour AS STRING)",
                "active_users",
                "plays",
                "impressions",
                "clicks",
                "ctr"))
        .containsExactly(
            "BR | 2026-11-20 10:00:00 | 2 | 1 | 0 | 1 | null",
            "BR | 2026-11-20 11:00:00 | 2 | 0 | 1 | 0 | 0.0",
            "US | 2026-11-20 10:00:00 | 6 | 5 | 1 | 2 | 2.0",
            "US | 2026-11-21 00:00:00 | 1 | 1 | 0 | 0 | null");
    assertThat(
            gold(
                lake,
                "trending_now",
                "country",
                "CAST(window_start AS STRING)",
                "CAST(window_end AS STRING)",
                "rank",
                "title_id",
                "score"))
        .containsExactly(
            "BR | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 1 | t2 | 1.5",
            "US | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 1 | t1 | 2.0",
            "US | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 2 | t3 | 1.5",
            // A tie at 1.0: title_id decides.
            "US | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 3 | t0 | 1.0",
            "US | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 4 | t4 | 1.0",
            "US | 2026-11-20 10:00:00 | 2026-11-20 11:00:00 | 5 | t2 | 0.5",
            "US | 2026-11-21 00:00:00 | 2026-11-21 01:00:00 | 1 | t2 | 1.0");
    // As of the event time: t1 changed genres at 10:30, t3 was deleted at 10:45.
    assertThat(gold(lake, "genre_daily", "genre", "event_date", "plays"))
        .containsExactly(
            "comedy | 2026-11-20 | 1",
            "drama | 2026-11-20 | 2",
            "drama | 2026-11-21 | 1",
            "thriller | 2026-11-20 | 1");
    assertThat(gold(lake, "data_quality_daily", "`table`", "rule", "run_date", "passed", "failed"))
        .containsExactly(
            "silver.plays | ids_not_null | 2026-11-20 | 15 | 1",
            "silver.plays | ids_not_null | 2026-11-21 | 7 | 2",
            "silver.plays | parse | 2026-11-20 | 11 | 0");

    // New rows for one day: only that slice is recomputed, and every table equals a recompute.
    appendPlays(lake, "('p11', 'u9', 't1', 'tv', 'US', 'start', 0, '2026-11-21 00:40:00')");
    aggregateOnce(lake);
    assertEqualsRecompute(lake);
    assertThat(gold(lake, "title_daily_engagement", "title_id", "event_date", "device", "plays"))
        .contains("t1 | 2026-11-21 | tv | 1");
  }

  @Test
  void aChangedDimensionReachesTheTablesThatJoinItWithoutNewPlaysMergingOnlyTheGroupsItMoves() {
    LakeLayout lake = knownSilver();
    List<RunningQuery> queries = startContinuously(lake, "genre_daily");
    try {
      await()
          .ignoreExceptions()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  gold(lake, "genre_daily", "genre", "CAST(event_date AS STRING)", "plays")
                      .contains("drama | 2026-11-20 | 2"));
      // t2 is re-genred (an SCD2 MERGE rewrites its current version); no play arrives.
      DeltaTable.forPath(spark, lake.table(Layer.SILVER, "titles_history"))
          .update(
              expr("title_id = 't2' AND is_current"),
              Map.of("genres", expr("array('documentary')")));

      await()
          .ignoreExceptions()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  gold(lake, "genre_daily", "genre", "CAST(event_date AS STRING)", "plays")
                      .contains("documentary | 2026-11-20 | 1"));
      // p1 (t1, drama until 10:30) is the 20th's one drama play left; p7 is t2's play on the 21st.
      assertThat(gold(lake, "genre_daily", "genre", "CAST(event_date AS STRING)", "plays"))
          .containsExactly(
              "comedy | 2026-11-20 | 1",
              "documentary | 2026-11-20 | 1",
              "documentary | 2026-11-21 | 1",
              "drama | 2026-11-20 | 1",
              "thriller | 2026-11-20 | 1");
      // One MERGE of the change, not a recompute: drama on the 20th down to 1, drama on the 21st
      // left without plays and deleted, documentary on both days new; comedy and thriller
      // untouched.
      Row merge =
          DeltaTable.forPath(spark, lake.table(Layer.GOLD, "genre_daily"))
              .history()
              .orderBy(org.apache.spark.sql.functions.col("version").desc())
              .first();
      assertThat(merge.<String>getAs("operation")).isEqualTo("MERGE");
      Map<String, String> metrics =
          scala.jdk.javaapi.CollectionConverters.asJava(
              merge.<scala.collection.Map<String, String>>getAs("operationMetrics"));
      assertThat(metrics)
          .containsEntry("numTargetRowsUpdated", "1")
          .containsEntry("numTargetRowsDeleted", "1")
          .containsEntry("numTargetRowsInserted", "2");
    } finally {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
    }
    assertEqualsRecompute(lake, List.of(pipeline.goldTable("genre_daily").orElseThrow()));
  }

  @Test
  void aChangedDefinitionIsNamedAndAFullRefreshRebuildsTheTableWithItsNewColumns()
      throws Exception {
    LakeLayout lake = knownSilver();
    aggregateOnce(lake);
    // title_daily_engagement gains a column: its checkpoint was made for the old query.
    Path reference = Path.of("../pipelines/engagement/pipeline.yaml");
    String old = "               count(DISTINCT user_id) AS viewers,\n";
    String yaml = Files.readString(reference);
    assertThat(yaml).contains(old);
    Pipeline changed =
        PipelineLoader.parse(
            reference, yaml.replace(old, old + "               count(*) AS events,\n"));
    GoldTable daily = changed.goldTable("title_daily_engagement").orElseThrow();
    GoldAggregation aggregation = new GoldAggregation(spark, lake, changed.tables());

    assertThatThrownBy(() -> aggregation.startAll(List.of(daily), true, EventSink.NONE))
        .hasMessageContaining("the definition of gold.title_daily_engagement changed");
    assertThat(aggregation.definitionChanges(daily)).startsWith("\n    sql.sha256: was ");
    assertThat(aggregation.definitionChanges(changed.goldTable("genre_daily").orElseThrow()))
        .isEmpty();

    aggregation.fullRefresh(daily);
    // A play after the rebuild: the new checkpoint starts where the rebuild read.
    appendPlays(lake, "('p30', 'u9', 't1', 'tv', 'US', 'start', 0, '2026-11-22 09:00:00')");
    StreamRunner.awaitAll(
        aggregation.startAll(List.of(daily), true, EventSink.NONE),
        () -> false,
        Duration.ofSeconds(30));

    assertThat(
            gold(
                lake,
                "title_daily_engagement",
                "title_id",
                "CAST(event_date AS STRING)",
                "device",
                "plays",
                "events"))
        .contains(
            "t1 | 2026-11-20 | tv | 2 | 3",
            "t1 | 2026-11-20 | phone | 0 | 1",
            "t1 | 2026-11-22 | tv | 1 | 1");
    assertThat(aggregation.definitionChanges(daily)).isEmpty();
    GoldAggregation again = new GoldAggregation(spark, lake, changed.tables());
    StreamRunner.awaitAll(
        again.startAll(List.of(daily), true, EventSink.NONE), () -> false, Duration.ofSeconds(30));
    Dataset<Row> recomputed = again.recomputation(daily);
    String[] columns =
        Arrays.stream(recomputed.columns()).map(c -> "`" + c + "`").toArray(String[]::new);
    assertThat(gold(lake, daily.name(), columns)).isEqualTo(rows(recomputed, columns));
  }

  @Test
  void lateEventsWaitForTheBatchRunThenEveryTableEqualsARecompute() {
    LakeLayout lake = knownSilver();
    List<RunningQuery> queries = startContinuously(lake, "trending_now");
    try {
      await()
          .ignoreExceptions()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  spark.read().format("delta").load(lake.table(Layer.GOLD, "trending_now")).count()
                      == 7);
      // A new day's event moves the watermark on; a play for 2026-11-20 is now behind it.
      appendPlays(lake, "('p20', 'u1', 't9', 'tv', 'US', 'start', 0, '2026-11-21 12:00:00')");
      await()
          .ignoreExceptions()
          .atMost(Duration.ofMinutes(2))
          .until(() -> gold(lake, "trending_now", "title_id").contains("t9"));
      // The 21st is open, but its 10:00 window ended before the watermark (11:50): late too.
      appendPlays(
          lake,
          "('p21', 'u2', 't2', 'tv', 'US', 'start', 0, '2026-11-20 10:30:00'),"
              + " ('p22', 'u3', 't3', 'tv', 'US', 'start', 0, '2026-11-21 10:30:00')");
      await()
          .ignoreExceptions()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> spark.read().format("delta").load(lake.system(LateSlices.TABLE)).count() == 2);
      assertThat(
              rows(
                  spark.read().format("delta").load(lake.system(LateSlices.TABLE)),
                  "gold_table",
                  "slice",
                  "late_rows",
                  "corrected_at"))
          .containsExactlyInAnyOrder(
              "gold.trending_now | 2026-11-20 | 1 | null",
              "gold.trending_now | 2026-11-21 | 1 | null");
      assertThat(gold(lake, "trending_now", "CAST(window_start AS STRING)"))
          .as("the closed hour of an open day is not reopened by the stream")
          .doesNotContain("2026-11-21 10:00:00");
      assertThat(
              gold(
                  lake,
                  "trending_now",
                  "country",
                  "CAST(window_start AS STRING)",
                  "title_id",
                  "score"))
          .as("the closed slice is not reopened by the stream")
          .contains("US | 2026-11-20 10:00:00 | t2 | 0.5");
    } finally {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
    }

    aggregateOnce(lake);
    assertThat(
            gold(
                lake,
                "trending_now",
                "country",
                "CAST(window_start AS STRING)",
                "title_id",
                "score"))
        .contains("US | 2026-11-20 10:00:00 | t2 | 1.5", "US | 2026-11-21 10:00:00 | t3 | 1.0");
    assertThat(
            rows(
                spark.read().format("delta").load(lake.system(LateSlices.TABLE)),
                "corrected_at IS NOT NULL"))
        .containsExactly("true", "true");
    assertEqualsRecompute(lake);
  }
}
