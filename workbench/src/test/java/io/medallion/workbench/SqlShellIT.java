package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.testkit.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lakehouse sql} over a lake: results, formats, read-only refusal, unknown names. */
class SqlShellIT {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private LakeLayout lake;

  @BeforeEach
  void trendingTable() {
    lake = LakeLayout.of(dir.resolve("lake").toString());
    spark
        .sql(
            "SELECT country, CAST(ws AS TIMESTAMP) AS window_start,"
                + " CAST(ws AS TIMESTAMP) + INTERVAL 1 HOUR AS window_end, rank, title_id,"
                + " CAST(score AS DOUBLE) AS score, to_date(CAST(ws AS TIMESTAMP)) AS event_date"
                + " FROM VALUES ('US', '2026-11-20 10:00:00', 1, 't1', 2.0),"
                + " ('US', '2026-11-20 10:00:00', 2, 't3', 1.5),"
                + " ('BR', '2026-11-20 10:00:00', 1, 't2, \"the sequel\"', 1.5)"
                + " AS t(country, ws, rank, title_id, score)")
        .write()
        .format("delta")
        .save(lake.table(Layer.GOLD, "trending_now"));
  }

  private record Result(int exit, String output) {}

  private Result sql(String... args) {
    StringWriter out = new StringWriter();
    List<String> all =
        new ArrayList<>(
            List.of(
                "sql",
                "--lake-root",
                lake.root(),
                "--pipeline",
                "../pipelines/engagement/pipeline.yaml",
                "--conf",
                "spark.master=local[2]"));
    all.addAll(List.of(args));
    int exit =
        Main.execute(
            new PrintWriter(out, true), new PrintWriter(out, true), all.toArray(String[]::new));
    return new Result(exit, out.toString());
  }

  private static final String QUERY =
      "SELECT country, window_start, rank, title_id, score FROM gold.trending_now"
          + " ORDER BY country, rank";

  @Test
  void printsAnAlignedTableCsvAndJson() throws Exception {
    assertThat(sql("-e", QUERY))
        .isEqualTo(
            new Result(
                0,
                """
                country | window_start         | rank | title_id         | score
                --------+----------------------+------+------------------+------
                BR      | 2026-11-20T10:00:00Z | 1    | t2, "the sequel" | 1.5
                US      | 2026-11-20T10:00:00Z | 1    | t1               | 2.0
                US      | 2026-11-20T10:00:00Z | 2    | t3               | 1.5
                (3 rows)
                """));
    assertThat(sql("-e", QUERY, "--format", "csv"))
        .isEqualTo(
            new Result(
                0,
                """
                country,window_start,rank,title_id,score
                BR,2026-11-20T10:00:00Z,1,"t2, ""the sequel\"\"",1.5
                US,2026-11-20T10:00:00Z,1,t1,2.0
                US,2026-11-20T10:00:00Z,2,t3,1.5
                """));
    Result json = sql("-e", QUERY + ";", "--format", "json");
    assertThat(json.exit()).isZero();
    JsonNode rows = new ObjectMapper().readTree(json.output());
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("title_id").asText()).isEqualTo("t2, \"the sequel\"");
    assertThat(rows.get(1).get("rank").isInt()).isTrue();
    assertThat(rows.get(1).get("score").asDouble()).isEqualTo(2.0);
    assertThat(rows.get(2).get("window_start").asText()).isEqualTo("2026-11-20T10:00:00Z");
  }

  @Test
  void refusesWritesUnlessAllowedAndNamesSimilarTablesForAnUnknownOne() {
    Result insert = sql("-e", "INSERT INTO gold.trending_now SELECT * FROM gold.trending_now");
    assertThat(insert.exit()).isEqualTo(1);
    assertThat(insert.output())
        .startsWith("error: The SQL shell is read-only, and this statement")
        .contains("--allow-writes");
    assertThat(sql("-e", "DROP TABLE gold.trending_now").output()).contains("read-only");
    assertThat(sql("-e", "SELECT count(*) AS n FROM gold.trending_now", "--format", "csv"))
        .isEqualTo(new Result(0, "n\n3\n"));

    Result unknown = sql("-e", "SELECT * FROM gold.trendng_now");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.output())
        .startsWith("error: There is no table gold.trendng_now.")
        .contains("Did you mean gold.trending_now?");

    Result written =
        sql("--allow-writes", "-e", "DELETE FROM gold.trending_now WHERE country = 'BR'");
    assertThat(written.exit()).as(written.output()).isZero();
    assertThat(spark.read().format("delta").load(lake.table(Layer.GOLD, "trending_now")).count())
        .isEqualTo(2);
  }

  @Test
  void queriesBesideAWriterSeeWholeCommits() throws Exception {
    // A writer commits 100 rows at a time while the shell counts: every count is a whole commit.
    String path = lake.table(Layer.GOLD, "title_daily_engagement");
    spark.sql("SELECT 't' AS title_id, id FROM range(100)").write().format("delta").save(path);
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer =
        new Thread(
            () -> {
              while (writing.get()) {
                spark
                    .sql("SELECT 't' AS title_id, id FROM range(100)")
                    .write()
                    .format("delta")
                    .mode("append")
                    .save(path);
              }
            });
    writer.start();
    List<Long> counts = new ArrayList<>();
    try {
      while (counts.size() < 8) {
        Result r = sql("-e", "SELECT count(*) FROM gold.title_daily_engagement", "--format", "csv");
        assertThat(r.exit()).as(r.output()).isZero();
        counts.add(Long.parseLong(r.output().lines().skip(1).findFirst().orElseThrow()));
      }
    } finally {
      writing.set(false);
      writer.join();
    }
    assertThat(counts).allSatisfy(n -> assertThat(n % 100).isZero());
    assertThat(counts.get(counts.size() - 1)).isGreaterThan(counts.get(0));
  }
}
