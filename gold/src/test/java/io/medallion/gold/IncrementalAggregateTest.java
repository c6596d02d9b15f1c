package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.medallion.core.lake.LakeCatalog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which gold queries are kept by merging each batch's aggregates, and how their columns merge. */
class IncrementalAggregateTest {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private static final Path REFERENCE = Path.of("../pipelines/engagement/pipeline.yaml");

  /** The reference pipeline over empty silver tables of its columns. */
  private Pipeline reference() {
    Pipeline pipeline = PipelineLoader.load(REFERENCE);
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    spark
        .sql(
            "SELECT 'e' AS event_id, 'u' AS user_id, 't' AS title_id, 'tv' AS device,"
                + " 'US' AS country, 'start' AS event_type, 0 AS position_s,"
                + " current_timestamp() AS event_time, current_date() AS event_date WHERE false")
        .write()
        .format("delta")
        .save(lake.table(Layer.SILVER, "plays"));
    spark
        .sql(
            "SELECT 'e' AS event_id, 'u' AS user_id, 't' AS title_id, 'r' AS row_name, 1 AS rank,"
                + " 'view' AS action, 'US' AS country, current_timestamp() AS event_time,"
                + " current_date() AS event_date WHERE false")
        .write()
        .format("delta")
        .save(lake.table(Layer.SILVER, "impressions"));
    spark
        .sql(
            "SELECT 'silver.plays' AS `table`, 'r' AS rule, 'quarantine' AS action, 'run' AS run_id,"
                + " 0L AS batch_id, 0L AS passed, 0L AS failed, current_timestamp() AS recorded_at"
                + " WHERE false")
        .write()
        .format("delta")
        .save(lake.system("expectation_results"));
    spark
        .sql(
            "SELECT 't' AS title_id, 'n' AS name, array('drama') AS genres, 'u' AS op,"
                + " current_timestamp() AS valid_from, CAST(NULL AS TIMESTAMP) AS valid_to,"
                + " true AS is_current WHERE false")
        .write()
        .format("delta")
        .save(lake.table(Layer.SILVER, "titles_history"));
    LakeCatalog.register(spark, pipeline, lake);
    return pipeline;
  }

  private IncrementalAggregate.Analysis analysis(Pipeline pipeline, String table) {
    return IncrementalAggregate.of(spark, pipeline.goldTable(table).orElseThrow());
  }

  @Test
  void theReferenceDailyEngagementMergesItsCountsSumsAndDistinctViewers() {
    IncrementalAggregate plan =
        analysis(reference(), "title_daily_engagement").plan().orElseThrow();

    assertThat(plan.keepsAggregates()).as("the table is its aggregates").isFalse();
    assertThat(plan.groupColumns()).containsExactly("title_id", "event_date", "device");
    assertThat(plan.member()).isEqualTo("user_id");
    assertThat(plan.merged())
        .containsExactly(
            entry("plays", "t.`plays` + s.`plays`"),
            entry("viewers", "t.`viewers` + s.`viewers`"),
            entry("watch_seconds", "t.`watch_seconds` + s.`watch_seconds`"));
  }

  @Test
  void theReferenceHourlyActivityMergesItsRatioFromTheMergedCounts() {
    IncrementalAggregate plan =
        analysis(reference(), "country_hourly_activity").plan().orElseThrow();

    assertThat(plan.groupColumns()).containsExactly("country", "event_hour", "event_date");
    assertThat(plan.groupExpressions())
        .containsExactly("country", "date_trunc('HOUR', event_time)", "event_date");
    assertThat(plan.member()).isEqualTo("user_id");
    assertThat(plan.merged())
        .containsEntry("clicks", "t.`clicks` + s.`clicks`")
        .containsEntry(
            "ctr", "try_divide((t.`clicks` + s.`clicks`), (t.`impressions` + s.`impressions`))");
  }

  @Test
  void theReferenceDataQualityMergesItsSumsPerRunDateThatNoSourceColumnHolds() {
    IncrementalAggregate plan = analysis(reference(), "data_quality_daily").plan().orElseThrow();

    assertThat(plan.keepsAggregates()).isFalse();
    assertThat(plan.groupColumns()).containsExactly("table", "rule", "run_date");
    assertThat(plan.groupExpressions()).containsExactly("table", "rule", "to_date(recorded_at)");
    assertThat(plan.member()).isNull();
    // A sum is null over no non-null values: either side alone is the merged sum.
    assertThat(plan.merged())
        .containsOnly(
            entry("passed", "coalesce(t.`passed` + s.`passed`, t.`passed`, s.`passed`)"),
            entry("failed", "coalesce(t.`failed` + s.`failed`, t.`failed`, s.`failed`)"));
  }

  @Test
  void theReferenceTrendingNowKeepsItsScoresAndRanksTheKeptScores() {
    IncrementalAggregate plan = analysis(reference(), "trending_now").plan().orElseThrow();

    assertThat(plan.keepsAggregates()).isTrue();
    assertThat(plan.sliceLocal()).as("ranked per date: a date's scores rank it alone").isTrue();
    assertThat(plan.groupColumns())
        .containsExactly("country", "window_start", "event_date", "title_id");
    assertThat(plan.merged())
        .containsExactly(entry("score", "coalesce(t.`score` + s.`score`, t.`score`, s.`score`)"));
    Dataset<Row> scores =
        spark.sql(
            "SELECT country, CAST(w AS TIMESTAMP) AS window_start, to_date(w) AS event_date,"
                + " title_id, score FROM VALUES ('US', '2026-11-19 10:00:00', 't2', 1.0D),"
                + " ('US', '2026-11-19 10:00:00', 't1', 1.0D),"
                + " ('US', '2026-11-19 10:00:00', 't3', 2.5D),"
                + " ('BR', '2026-11-19 10:00:00', 't2', 0.5D)"
                + " AS s(country, w, title_id, score)");
    assertThat(
            plan
                .fromAggregates(spark, scores)
                .selectExpr(
                    "country",
                    "date_format(window_start, 'HH')",
                    "date_format(window_end, 'HH')",
                    "rank",
                    "title_id",
                    "score")
                .collectAsList()
                .stream()
                .map(r -> r.mkString(" | "))
                .sorted()
                .toList())
        .as("ranked by score, ties by title")
        .containsExactly(
            "BR | 10 | 11 | 1 | t2 | 0.5",
            "US | 10 | 11 | 1 | t3 | 2.5",
            "US | 10 | 11 | 2 | t1 | 1.0",
            "US | 10 | 11 | 3 | t2 | 1.0");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "PARTITION BY event_date, device ORDER BY n DESC | true",
        "PARTITION BY device ORDER BY n DESC | false",
        "ORDER BY n DESC | false",
      })
  void aRankingOverKeptAggregatesRanksASliceAloneOnlyWhenItsWindowsArePerSlice(
      String window, boolean local) {
    Pipeline pipeline = reference();
    String sql =
        "SELECT * FROM (SELECT *, row_number() OVER ("
            + window
            + ") AS rank FROM (SELECT event_date, device, count(*) AS n FROM silver.plays"
            + " GROUP BY event_date, device)) WHERE rank <= 3";

    IncrementalAggregate plan =
        IncrementalAggregate.of(spark, withSql(pipeline, sql)).plan().orElseThrow();

    assertThat(plan.keepsAggregates()).isTrue();
    assertThat(plan.sliceLocal()).isEqualTo(local);
  }

  @Test
  void anAverageIsMergedFromItsSumAndCountKeptInColumnsOfTheirOwn() {
    String sql =
        "SELECT event_date, device, avg(position_s) AS mean_position FROM silver.plays"
            + " GROUP BY event_date, device";

    IncrementalAggregate plan =
        IncrementalAggregate.of(spark, withSql(reference(), sql)).plan().orElseThrow();

    assertThat(plan.keepsAggregates()).as("the table has no columns for them").isTrue();
    assertThat(plan.merged())
        .containsExactly(
            entry(
                "mean_position",
                "try_divide((coalesce(t.`__avg_sum_0` + s.`__avg_sum_0`, t.`__avg_sum_0`,"
                    + " s.`__avg_sum_0`)), (t.`__avg_count_0` + s.`__avg_count_0`))"),
            entry(
                "__avg_sum_0",
                "coalesce(t.`__avg_sum_0` + s.`__avg_sum_0`, t.`__avg_sum_0`, s.`__avg_sum_0`)"),
            entry("__avg_count_0", "t.`__avg_count_0` + s.`__avg_count_0`"));
  }

  @Test
  void aStreamingAggregationMustReadItsEventTimeForItsWatermark() {
    Pipeline pipeline = reference();
    String sql =
        "SELECT event_date, device, count(*) AS n FROM"
            + " (SELECT event_date, device FROM silver.plays) GROUP BY event_date, device";

    IncrementalAggregate.Analysis analysis =
        IncrementalAggregate.of(spark, withSql(pipeline, sql, Pipeline.Refresh.STREAMING));

    assertThat(analysis.plan()).isEmpty();
    assertThat(analysis.reason())
        .isEqualTo("the rows its aggregation reads lack the column event_time");
  }

  /** The reference's title_daily_engagement, its query replaced. */
  private static Pipeline.GoldTable withSql(Pipeline pipeline, String sql) {
    return withSql(
        pipeline, sql, pipeline.goldTable("title_daily_engagement").orElseThrow().refresh());
  }

  /** The reference's title_daily_engagement, its query and refresh replaced. */
  private static Pipeline.GoldTable withSql(
      Pipeline pipeline, String sql, Pipeline.Refresh refresh) {
    Pipeline.GoldTable daily = pipeline.goldTable("title_daily_engagement").orElseThrow();
    return new Pipeline.GoldTable(
        daily.name(),
        daily.description(),
        sql,
        daily.className(),
        daily.sources(),
        refresh,
        daily.slice(),
        daily.watermark(),
        daily.eventTime(),
        daily.window(),
        daily.partitionBy(),
        daily.triggerInterval(),
        daily.specKey(),
        daily.specLine(),
        daily.maintenance(),
        daily.specFile(),
        daily.onFailure());
  }

  @Test
  void theReferenceGenreDailyMergesTheChangeOfItsJoinAndDeletesTheGroupsItEmpties() {
    IncrementalAggregate plan = analysis(reference(), "genre_daily").plan().orElseThrow();

    assertThat(plan.joined()).isTrue();
    assertThat(plan.rowCount()).isEqualTo("plays");
    assertThat(plan.keepsAggregates()).isFalse();
    assertThat(plan.groupColumns()).containsExactly("genre", "event_date");
    assertThat(plan.merged()).containsOnly(entry("plays", "t.`plays` + s.`plays`"));
  }

  @Test
  void theChangeOfAJoinedQueryAddsItsTermsSubtractsTheRemovedOnesAndDropsWhatCancels() {
    IncrementalAggregate plan =
        IncrementalAggregate.of(
                spark,
                withSql(
                    reference(),
                    "SELECT i.country, p.event_date, count(*) AS n, count_if(i.action = 'click')"
                        + " AS clicks FROM silver.plays p JOIN silver.impressions i"
                        + " ON i.user_id = p.user_id GROUP BY i.country, p.event_date"))
            .plan()
            .orElseThrow();
    Dataset<Row> plays =
        spark.sql(
            "SELECT * FROM VALUES ('u1', DATE'2026-11-20'), ('u2', DATE'2026-11-20')"
                + " AS p(user_id, event_date)");
    Dataset<Row> added =
        spark.sql(
            "SELECT * FROM VALUES ('u1', 'US', 'click'), ('u2', 'BR', 'view')"
                + " AS i(user_id, country, action)");
    Dataset<Row> removed =
        spark.sql(
            "SELECT * FROM VALUES ('u1', 'US', 'view'), ('u2', 'BR', 'view')"
                + " AS i(user_id, country, action)");

    Dataset<Row> change =
        plan.changedAggregates(
            spark,
            java.util.List.of(
                new IncrementalAggregate.Change(
                    java.util.Map.of("silver.plays", plays, "silver.impressions", added), false),
                new IncrementalAggregate.Change(
                    java.util.Map.of("silver.plays", plays, "silver.impressions", removed), true)));

    // BR's one row went and came back unchanged: it cancels. US's view became a click.
    assertThat(change.columns()).containsExactly("country", "event_date", "n", "clicks");
    assertThat(change.collectAsList()).map(Row::toString).containsExactly("[US,2026-11-20,0,1]");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT event_date, count(*) AS n FROM silver.plays GROUP BY event_date HAVING count(*) > 1"
            + " | its query is not one aggregation",
        "SELECT p.event_date, count(*) AS n FROM silver.plays p"
            + " LEFT JOIN silver.impressions i ON i.user_id = p.user_id GROUP BY p.event_date"
            + " | its query joins tables with a LEFT OUTER join, not an inner one",
        "SELECT p.event_date, count(*) AS n, sum(i.rank) AS r FROM silver.plays p"
            + " JOIN silver.impressions i ON i.user_id = p.user_id GROUP BY p.event_date"
            + " | its query joins tables and the column r is not a count (a change of a joined"
            + " table takes rows away, and only counts are merged by subtracting them)",
        "SELECT p.event_date, count(i.rank) AS n FROM silver.plays p"
            + " JOIN silver.impressions i ON i.user_id = p.user_id GROUP BY p.event_date"
            + " | its query joins tables and has no count(*) column, which says when a group is"
            + " left without rows",
        "SELECT p.event_date, count(*) AS n FROM silver.plays p"
            + " JOIN silver.plays q ON q.user_id = p.user_id GROUP BY p.event_date"
            + " | its query joins tables and reads silver.plays more than once",
        "SELECT p.event_date, count(*) AS n FROM silver.plays p"
            + " JOIN (SELECT DISTINCT user_id FROM silver.impressions) i ON i.user_id = p.user_id"
            + " GROUP BY p.event_date"
            + " | its query joins tables and its rows go through Distinct, which a change to one"
            + " of them does not pass through row by row",
        "SELECT event_date, stddev(position_s) AS a FROM silver.plays GROUP BY event_date"
            + " | it uses an aggregate function other than count, count_if, sum, min, max and avg",
        "SELECT event_date, avg(DISTINCT position_s) AS a FROM silver.plays GROUP BY event_date"
            + " | it uses an aggregate function other than count, count_if, sum, min, max and avg",
        "SELECT event_date, avg(CAST(position_s AS DECIMAL(10, 2))) AS a FROM silver.plays"
            + " GROUP BY event_date"
            + " | its query over its kept aggregates does not have the query's columns",
        "SELECT event_date, count(DISTINCT user_id) AS u, count(DISTINCT title_id) AS t"
            + " FROM silver.plays GROUP BY event_date"
            + " | its distinct counts count more than one column",
        "SELECT event_date, count(DISTINCT user_id) AS u, max(user_id) AS m"
            + " FROM silver.plays GROUP BY event_date"
            + " | the distinct column user_id is read by more than its distinct counts",
        "SELECT event_date, sum(DISTINCT position_s) AS s FROM silver.plays GROUP BY event_date"
            + " | the column s uses sum in a way a merge cannot",
        "SELECT device, count(*) AS n FROM silver.plays GROUP BY device, event_date"
            + " | a group expression is not an output column",
        "SELECT device, count(*) AS n FROM silver.plays GROUP BY device"
            + " | the slice column event_date is not a group key",
        "SELECT event_date, count(*) / 2 AS half FROM silver.plays GROUP BY event_date"
            + " | the column half uses an aggregate that is not a column of its own",
      })
  void aQueryAMergeCannotKeepSaysWhy(String sql, String reason) {
    Pipeline pipeline = reference();
    Pipeline.GoldTable changed = withSql(pipeline, sql);

    IncrementalAggregate.Analysis analysis = IncrementalAggregate.of(spark, changed);

    assertThat(analysis.plan()).isEmpty();
    assertThat(analysis.reason()).isEqualTo(reason);
  }
}
