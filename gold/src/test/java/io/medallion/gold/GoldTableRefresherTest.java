package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeCatalog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gold refreshes on a tiny silver table written directly: which slices each batch recomputes. */
class GoldTableRefresherTest {
  private static final String SPEC =
      GoldTestLake.playsSpec(
          "refreshertest",
          "event_id: string",
          """
      gold:
        tables:
          daily:
            refresh: incremental
            slice: event_date
            partition_by: [event_date]
            sql: SELECT event_date, count(*) AS plays FROM silver.plays GROUP BY event_date
          daily_stream:
            refresh: streaming
            slice: event_date
            watermark: 1h
            sql: SELECT event_date, count(*) AS plays FROM silver.plays GROUP BY event_date
          hourly_stream:
            refresh: streaming
            slice: event_date
            watermark: 10m
            window:
              column: window_start
              size: 1h
            sql: |
              SELECT date_trunc('HOUR', event_time) AS window_start, event_date, count(*) AS plays
              FROM silver.plays GROUP BY date_trunc('HOUR', event_time), event_date
          total:
            refresh: full
            sql: SELECT count(*) AS plays FROM silver.plays
          daily_in_java:
            refresh: incremental
            slice: event_date
            class: io.medallion.gold.GoldTableRefresherTest$DailyInJava
            sources: [silver.plays]
      """);

  /** The table daily computes, in Java. */
  public static final class DailyInJava implements GoldTransform {
    @Override
    public Dataset<Row> compute(SparkSession spark) {
      return spark
          .table("silver.plays")
          .groupBy("event_date")
          .agg(org.apache.spark.sql.functions.count("*").as("plays"));
    }
  }

  private static final LocalDate D1 = LocalDate.of(2026, 11, 19);
  private static final LocalDate D2 = LocalDate.of(2026, 11, 20);

  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private Pipeline pipeline() {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), SPEC);
  }

  private GoldTableRefresher refresher(String name) {
    return refresher(name, null);
  }

  private GoldTableRefresher refresher(String name, MaintenancePolicy policy) {
    GoldTable table = pipeline().goldTable(name).orElseThrow();
    return new GoldTableRefresher(table, lake(), policy, delta);
  }

  /** Appends plays ('id', 'yyyy-MM-dd HH:mm:ss') to silver.plays and registers the lake. */
  private void plays(String... rows) {
    spark
        .sql(
            "SELECT event_id, CAST(t AS TIMESTAMP) AS event_time,"
                + " to_date(CAST(t AS TIMESTAMP)) AS event_date FROM VALUES "
                + String.join(", ", rows)
                + " AS v(event_id, t)")
        .write()
        .format("delta")
        .mode("append")
        .save(lake().table(Layer.SILVER, "plays"));
    LakeCatalog.register(spark, pipeline(), lake());
  }

  /** A batch of changes: one row per (slice, event time) given as 'yyyy-MM-dd HH:mm:ss'. */
  private Dataset<Row> changes(String... times) {
    String values =
        times.length == 0
            ? "SELECT CAST(NULL AS DATE) AS __slice, CAST(NULL AS TIMESTAMP) AS __event_time"
                + " WHERE false"
            : "SELECT to_date(CAST(t AS TIMESTAMP)) AS __slice, CAST(t AS TIMESTAMP) AS"
                + " __event_time FROM VALUES ('"
                + String.join("'), ('", times)
                + "') AS v(t)";
    return spark.sql(values);
  }

  private List<String> gold(String name) {
    Dataset<Row> rows = spark.read().format("delta").load(lake().table(Layer.GOLD, name));
    return rows.orderBy(rows.columns()[0]).collectAsList().stream().map(Row::toString).toList();
  }

  /** gold.hourly_stream's windows (in the session's UTC) and plays. */
  private List<String> hours() {
    return spark
        .read()
        .format("delta")
        .load(lake().table(Layer.GOLD, "hourly_stream"))
        .selectExpr("CAST(window_start AS STRING) AS window_start", "plays")
        .orderBy("window_start")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  /** What {@code _system.gold_late_slices} holds: slice, late rows, batch. */
  private List<String> lateRecords() {
    return spark
        .read()
        .format("delta")
        .load(lake().system(LateSlices.TABLE))
        .selectExpr("slice", "late_rows", "batch_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  private long versions(String name) {
    return GoldFiles.versions(spark, lake().table(Layer.GOLD, name));
  }

  @Test
  void theFirstRecomputeOfATableNotYetCreatedComputesItWhole() {
    plays("('p1', '2026-11-19 10:00:00')", "('p2', '2026-11-20 10:00:00')");

    refresher("daily").recompute(spark, List.of(D2));

    assertThat(gold("daily")).containsExactly("[2026-11-19,1]", "[2026-11-20,1]");
    assertThat(
            spark
                .sql("DESCRIBE DETAIL delta.`" + lake().table(Layer.GOLD, "daily") + "`")
                .select("partitionColumns")
                .first()
                .getList(0))
        .containsExactly("event_date");
  }

  /** The same table by a query and by a Java class: each batch recomputes the same slices. */
  @ParameterizedTest
  @ValueSource(strings = {"daily", "daily_in_java"})
  void anIncrementalBatchRecomputesOnlyTheSlicesItsChangesTouch(String table) {
    plays("('p1', '2026-11-19 10:00:00')", "('p2', '2026-11-20 10:00:00')");
    GoldTableRefresher daily = refresher(table);
    daily.recomputeAll(spark);
    plays("('p3', '2026-11-19 11:00:00')", "('p4', '2026-11-20 11:00:00')");

    daily.apply(changes("2026-11-19 11:00:00"), 0, false);

    assertThat(gold(table))
        .as("the 20th is not recomputed: no change of this batch touched it")
        .containsExactly("[2026-11-19,2]", "[2026-11-20,1]");

    daily.apply(changes("2026-11-20 11:00:00", "2026-11-20 11:00:00"), 1, false);

    assertThat(gold(table)).containsExactly("[2026-11-19,2]", "[2026-11-20,2]");
  }

  @Test
  void anIncrementalBatchRewritesOnlyTheFilesOfTheSlicesItTouched() {
    plays("('p1', '2026-11-19 10:00:00')", "('p2', '2026-11-20 10:00:00')");
    GoldTableRefresher daily = refresher("daily");
    daily.recomputeAll(spark);
    java.util.Map<String, String> before =
        GoldFiles.perSlice(spark, lake().table(Layer.GOLD, "daily"));
    plays("('p3', '2026-11-19 11:00:00')");

    daily.apply(changes("2026-11-19 11:00:00"), 0, false);

    java.util.Map<String, String> after =
        GoldFiles.perSlice(spark, lake().table(Layer.GOLD, "daily"));
    assertThat(after.get("2026-11-20"))
        .as("the 20th's file stays")
        .isEqualTo(before.get("2026-11-20"));
    assertThat(after.get("2026-11-19")).isNotEqualTo(before.get("2026-11-19"));
    Row last = GoldFiles.lastCommit(spark, lake().table(Layer.GOLD, "daily"));
    assertThat(last.getString(0)).isEqualTo("WRITE");
    assertThat(last.<String, String>getJavaMap(1))
        .as("one row, of the 19th, written")
        .containsEntry("numOutputRows", "1")
        .containsEntry("numFiles", "1");
  }

  @Test
  void noSlicesRecomputesNothing() {
    plays("('p1', '2026-11-19 10:00:00')");
    GoldTableRefresher daily = refresher("daily");
    daily.recomputeAll(spark);
    long before = versions("daily");

    daily.recompute(spark, List.of());
    daily.apply(changes(), 1, false);

    assertThat(versions("daily")).isEqualTo(before);
  }

  @Test
  void aFullTableIsRecomputedWholeOnlyWhenABatchHasChangesOrTheTableIsMissing() {
    plays("('p1', '2026-11-19 10:00:00')");
    GoldTableRefresher total = refresher("total");

    total.apply(changes(), 0, false);
    assertThat(gold("total")).containsExactly("[1]");
    long created = versions("total");

    plays("('p2', '2026-11-20 10:00:00')");
    total.apply(changes(), 1, false);
    assertThat(gold("total")).containsExactly("[1]");
    assertThat(versions("total")).isEqualTo(created);

    total.apply(changes("2026-11-20 10:00:00"), 2, false);
    assertThat(gold("total")).containsExactly("[2]");
  }

  @Test
  void aStreamingTableRecordsChangesBehindItsWatermarkAsLateAndABatchRunCorrectsThem() {
    LateSlices.create(spark, lake());
    plays("('p1', '2026-11-19 10:00:00')", "('p2', '2026-11-20 12:00:00')");
    GoldTableRefresher stream = refresher("daily_stream");
    spark.sparkContext().setLocalProperty("sql.streaming.queryId", "q1");
    try {
      stream.apply(changes("2026-11-19 10:00:00", "2026-11-20 12:00:00"), 0, false);
      assertThat(gold("daily_stream")).containsExactly("[2026-11-19,1]", "[2026-11-20,1]");

      // The watermark is now 2026-11-20 11:00: the 19th is closed for this run.
      plays("('p3', '2026-11-19 23:00:00')", "('p4', '2026-11-19 23:30:00')");
      plays("('p5', '2026-11-20 12:30:00')");
      stream.apply(
          changes("2026-11-19 23:00:00", "2026-11-19 23:30:00", "2026-11-20 12:30:00"), 1, false);
    } finally {
      spark.sparkContext().setLocalProperty("sql.streaming.queryId", null);
    }

    assertThat(gold("daily_stream")).containsExactly("[2026-11-19,1]", "[2026-11-20,2]");
    assertThat(LateSlices.pending(spark, lake(), "gold.daily_stream")).containsExactly(D1);
    assertThat(lateRecords()).containsExactly("[2026-11-19,2,1]");

    stream.correctLateSlices(spark);

    assertThat(gold("daily_stream")).containsExactly("[2026-11-19,3]", "[2026-11-20,2]");
    assertThat(LateSlices.pending(spark, lake(), "gold.daily_stream")).isEmpty();
  }

  @Test
  void anHourWindowClosesOnItsOwnWhileItsDayIsStillOpen() {
    LateSlices.create(spark, lake());
    plays("('p1', '2026-11-20 10:05:00')", "('p2', '2026-11-20 11:30:00')");
    spark.sparkContext().setLocalProperty("sql.streaming.queryId", "q1");
    try {
      refresher("hourly_stream")
          .apply(changes("2026-11-20 10:05:00", "2026-11-20 11:30:00"), 0, false);

      // The watermark is now 11:20: the 10:00 window has ended, the 11:00 one has not.
      plays("('p3', '2026-11-20 10:50:00')", "('p4', '2026-11-20 11:40:00')");
      // A new refresher, as after a restart: the watermark comes from the checkpoint.
      refresher("hourly_stream")
          .apply(changes("2026-11-20 10:50:00", "2026-11-20 11:40:00"), 1, false);
    } finally {
      spark.sparkContext().setLocalProperty("sql.streaming.queryId", null);
    }

    assertThat(hours())
        .as("the 20th is open, but its 10:00 window is not reopened")
        .containsExactly("[2026-11-20 10:00:00,1]", "[2026-11-20 11:00:00,2]");
    assertThat(lateRecords()).containsExactly("[2026-11-20,1,1]");

    refresher("hourly_stream").correctLateSlices(spark);

    assertThat(hours()).containsExactly("[2026-11-20 10:00:00,2]", "[2026-11-20 11:00:00,2]");
    assertThat(LateSlices.pending(spark, lake(), "gold.hourly_stream")).isEmpty();
  }

  @Test
  void theWatermarkSurvivesARestartOfTheQuery() {
    LateSlices.create(spark, lake());
    plays("('p1', '2026-11-20 12:00:00')");
    spark.sparkContext().setLocalProperty("sql.streaming.queryId", "q1");
    try {
      refresher("daily_stream").apply(changes("2026-11-20 12:00:00"), 0, false);

      // A new refresher, as after a restart: the 19th is still closed.
      plays("('p2', '2026-11-19 23:00:00')");
      refresher("daily_stream").apply(changes("2026-11-19 23:00:00"), 1, false);
    } finally {
      spark.sparkContext().setLocalProperty("sql.streaming.queryId", null);
    }

    assertThat(gold("daily_stream")).containsExactly("[2026-11-20,1]");
    assertThat(LateSlices.pending(spark, lake(), "gold.daily_stream")).containsExactly(D1);
    assertThat(
            dir.resolve("lake/_checkpoints/gold/daily_stream/" + WatermarkLog.FOLDER + "/0")
                .toFile())
        .hasContent("2026-11-20T12:00:00Z");
  }

  @Test
  void aReplayedBatchClosesWhatItClosedTheFirstTime() {
    LateSlices.create(spark, lake());
    plays("('p1', '2026-11-20 12:00:00')");
    spark.sparkContext().setLocalProperty("sql.streaming.queryId", "q1");
    try {
      refresher("daily_stream").apply(changes("2026-11-20 12:00:00"), 0, false);
      plays("('p2', '2026-11-21 10:00:00')", "('p3', '2026-11-23 12:00:00')");
      Dataset<Row> batch1 = changes("2026-11-21 10:00:00", "2026-11-23 12:00:00");
      refresher("daily_stream").apply(batch1, 1, false);

      // Batch 1 again, after a restart: the watermark before it (the 20th) still decides, not the
      // one it left (the 23rd), so the 21st is recomputed again, not reported late.
      refresher("daily_stream").apply(batch1, 1, false);
    } finally {
      spark.sparkContext().setLocalProperty("sql.streaming.queryId", null);
    }

    assertThat(gold("daily_stream"))
        .containsExactly("[2026-11-20,1]", "[2026-11-21,1]", "[2026-11-23,1]");
    assertThat(LateSlices.pending(spark, lake(), "gold.daily_stream")).isEmpty();
  }

  @Test
  void aBatchRunOfAStreamingTableClosesNoSlice() {
    LateSlices.create(spark, lake());
    plays("('p1', '2026-11-20 12:00:00')");
    GoldTableRefresher stream = refresher("daily_stream");
    stream.apply(changes("2026-11-20 12:00:00"), 0, true);
    plays("('p2', '2026-11-18 08:00:00')");

    stream.apply(changes("2026-11-18 08:00:00"), 1, true);

    assertThat(gold("daily_stream")).containsExactly("[2026-11-18,1]", "[2026-11-20,1]");
    assertThat(LateSlices.pending(spark, lake(), "gold.daily_stream")).isEmpty();
  }

  @Test
  void correctingLateSlicesOfANonStreamingTableDoesNothing() {
    plays("('p1', '2026-11-19 10:00:00')");

    refresher("daily").correctLateSlices(spark);

    assertThat(dir.resolve("lake/gold/daily")).doesNotExist();
  }

  @Test
  void aNewTableGetsItsAutoCompactionFromThePolicy() {
    plays("('p1', '2026-11-19 10:00:00')");
    MaintenancePolicy noCompaction =
        new MaintenancePolicy(128L << 20, List.of(), Duration.ofHours(168), false);

    refresher("total", noCompaction).recomputeAll(spark);

    assertThat(
            spark
                .sql("SHOW TBLPROPERTIES delta.`" + lake().table(Layer.GOLD, "total") + "`")
                .where("key = '" + TableMaintenance.AUTO_COMPACT + "'")
                .select("value")
                .first()
                .getString(0))
        .isEqualTo("false");
  }

  @Test
  void slicesAreWrittenAsSqlDateLiterals() {
    assertThat(GoldTableRefresher.dates(List.of(D1, D2)))
        .isEqualTo("DATE'2026-11-19', DATE'2026-11-20'");
  }
}
