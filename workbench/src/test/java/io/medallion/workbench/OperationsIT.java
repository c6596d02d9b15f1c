package io.medallion.workbench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.gold.GoldAggregation;
import io.medallion.jobs.cli.LakehouseCommand;
import io.medallion.silver.QuarantineTable;
import io.medallion.testkit.Browser;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.Oracle;
import io.medallion.workbench.serve.LiveView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Day two on the reference pipeline: {@code lakehouse replay} lands what bronze is missing and
 * nothing it holds; the event log ({@code _system.events}) records every batch, rule result,
 * replay, backfill and failure; {@code lakehouse status} summarises a known state; {@code lakehouse
 * backfill} rebuilds damaged gold dates to equal a recomputation.
 */
class OperationsIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** How status shows a recent moment: seconds, or minutes past two (a slow machine's run). */
  private static final String AGO = "\\d+ (?:s|min) ago";

  private final SparkSession spark = TestSpark.get();

  /** Runs a command that must succeed; returns its output. */
  private static String cli(Path spec, Path lakeDir, String... args) {
    Cli.Result result = Cli.run(spec, lakeDir, args);
    assertThat(result.exit()).as(result.output()).isZero();
    return result.output();
  }

  @Test
  void replayEventLogStatusAndBackfillOnAKnownState() throws Exception {
    Path spec = ReferenceSpec.copy(dir, "replay-");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    ReferenceEvents events = new ReferenceEvents(spec, "replay-");

    // 1. A first ingest starts at the end of the topics: the first 600 events are not in bronze.
    events.produce(600, 5, 0);
    cli(spec, lakeDir, "ingest", "--once", "--starting-offsets", "latest");
    Set<Coordinates> before = events.acknowledged();
    events.produce(300, 6, 0);
    Map<String, Long> second =
        events.acknowledged().stream()
            .filter(c -> !before.contains(c))
            .collect(Collectors.groupingBy(Coordinates::topic, Collectors.counting()));
    cli(spec, lakeDir, "ingest", "--once");
    long bronzePlays = bronze(lake, "plays");
    for (String topic : List.of("plays", "impressions", "titles")) {
      Row batch = onlyBatch(EventLog.read(spark, lake), "bronze." + topic);
      assertThat(batch.getLong(0))
          .as("bronze.%s rows in", topic)
          .isEqualTo(second.get("replay-" + topic));
      assertThat(batch.getLong(2)).as("bronze.%s lag after its batch", topic).isZero();
    }

    // 2. Replaying from offset 0 lands exactly the missing records; again, nothing.
    String first =
        cli(spec, lakeDir, "replay", "--table", "bronze.plays", "--from-offsets", "0:0,1:0");
    assertThat(first).containsPattern("added [1-9][\\d,]* that bronze.plays did not hold");
    assertThat(bronze(lake, "plays")).isGreaterThan(bronzePlays);
    long afterReplay = bronze(lake, "plays");
    String again =
        cli(spec, lakeDir, "replay", "--table", "bronze.plays", "--from-offsets", "0:0,1:0");
    assertThat(again).contains("added 0 that bronze.plays did not hold");
    assertThat(bronze(lake, "plays")).isEqualTo(afterReplay);
    cli(spec, lakeDir, "replay", "--table", "bronze.impressions", "--from-offsets", "0:0,1:0");
    cli(
        spec,
        lakeDir,
        "replay",
        "--table",
        "bronze.titles",
        "--from-timestamp",
        "2000-01-01T00:00:00Z");
    assertThat(
            EventLog.read(spark, lake)
                .where("kind = 'replay' AND target = 'bronze.plays'")
                .selectExpr("rows_out")
                .as(org.apache.spark.sql.Encoders.LONG())
                .collectAsList())
        .containsExactlyInAnyOrder(afterReplay - bronzePlays, 0L);

    // 3. The rest of the pipeline takes the replayed records like any others: the oracle holds.
    cli(spec, lakeDir, "run", "--once");
    ReferenceOracle.check(spark, spec, lakeDir, events.acknowledged(), events.acknowledged());

    // 4. The event log: silver's one batch with what it read and wrote, each rule's result.
    Dataset<Row> log = EventLog.read(spark, lake);
    long allBronzePlays = bronze(lake, "plays");
    long silverPlays = spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count();
    Row plays = onlyBatch(log, "silver.plays");
    assertThat(plays.getLong(0)).isEqualTo(allBronzePlays);
    assertThat(plays.getLong(1)).isEqualTo(silverPlays);
    assertThat(log.where("kind = 'batch' AND target LIKE 'gold.%'").count()).isPositive();
    List<Row> rules =
        log.where("kind = 'rule' AND target LIKE 'silver.plays/%'")
            .select("target", "rows_in", "rows_out")
            .collectAsList();
    List<Row> expected =
        spark
            .sql(
                "SELECT rule, passed + failed, passed FROM delta.`"
                    + lake.system("expectation_results")
                    + "` WHERE table = 'silver.plays'")
            .collectAsList();
    assertThat(rules).hasSize(expected.size());
    for (Row e : expected) {
      assertThat(rules)
          .anySatisfy(
              r -> {
                assertThat(r.getString(0)).isEqualTo("silver.plays/" + e.getString(0));
                assertThat(r.getLong(1)).isEqualTo(e.getLong(1));
                assertThat(r.getLong(2)).isEqualTo(e.getLong(2));
              });
    }

    // 5. status on that state: every table, bronze caught up, no failures.
    String status = cli(spec, lakeDir, "status");
    assertThat(status)
        .contains("No failures in the last 24 hours.")
        .containsPattern(
            "bronze\\.plays\\s+"
                + AGO
                + "\\s+\\d+\\s+"
                + AGO
                + "\\s+"
                + String.format("%,d", second.get("replay-plays"))
                + "\\s+-\\s+0\\n")
        .containsPattern(
            "silver\\.plays\\s+"
                + AGO
                + "\\s+0\\s+"
                + AGO
                + "\\s+"
                + String.format("%,d", allBronzePlays)
                + "\\s+"
                + String.format("%,d", silverPlays)
                + "\\s*\\n")
        .contains("gold.trending_now", "gold.title_daily_engagement", "silver.titles_history");

    // 6. The live view and its API show the same state; a browser renders its graph and charts.
    checkLiveView(spec, lake, allBronzePlays, silverPlays);

    // 7. A bad deploy damaged two dates of a gold table; a backfill of those dates repairs them.
    GoldTable daily =
        PipelineLoader.load(spec).goldTables().stream()
            .filter(t -> t.name().equals("title_daily_engagement"))
            .findFirst()
            .orElseThrow();
    String path = lake.table(Layer.GOLD, daily.name());
    List<java.sql.Date> dates =
        spark
            .sql("SELECT DISTINCT event_date FROM delta.`" + path + "` ORDER BY event_date")
            .as(org.apache.spark.sql.Encoders.DATE())
            .collectAsList();
    assertThat(dates).isNotEmpty();
    java.sql.Date firstDate = dates.get(0);
    java.sql.Date lastDate = dates.get(dates.size() - 1);
    spark.sql("DELETE FROM delta.`" + path + "` WHERE event_date = DATE'" + firstDate + "'");
    spark.sql(
        "UPDATE delta.`"
            + path
            + "` SET plays = plays + 1 WHERE event_date = DATE'"
            + lastDate
            + "'");
    GoldAggregation aggregation =
        new GoldAggregation(spark, lake, PipelineLoader.load(spec).tables());
    String backfilled =
        cli(
            spec,
            lakeDir,
            "backfill",
            "--table",
            "gold.title_daily_engagement",
            "--from",
            firstDate.toString(),
            "--to",
            lastDate.toString());
    assertThat(backfilled).contains("Backfilled gold.title_daily_engagement: rebuilt");
    Oracle.equalsRecompute(
        "gold.title_daily_engagement",
        spark.read().format("delta").load(path),
        aggregation.recomputation(daily));
    assertThat(EventLog.read(spark, lake).where("kind = 'backfill'").count()).isEqualTo(1);

    // 8. Plays bronze ingested yesterday went through a bad deploy: silver lost some of their rows
    //    and altered others, and their quarantined records are gone. A backfill of yesterday
    //    rebuilds them from bronze: the table equals the stream's result again, twice over.
    checkSilverBackfill(spec, lakeDir, lake, events);

    // 9. Ten more plays expire before bronze reads them: the ingest fails, and the log and
    //    status say so.
    String topic = "replay-plays";
    for (Coordinates c : TestKafka.produceNumbers(topic, 0, 10)) {
      TestKafka.expireRecords(topic, c.partition(), c.offset() + 1);
    }
    assertThat(Cli.run(spec, lakeDir, "ingest", "--once").exit())
        .isEqualTo(LakehouseCommand.EXIT_FAILURE);
    assertThat(
            EventLog.read(spark, lake)
                .where("kind = 'failure' AND job = 'ingest'")
                .select("message")
                .first()
                .getString(0))
        .contains("bronze.plays stopped: Kafka no longer has records");
    status = cli(spec, lakeDir, "status");
    assertThat(status)
        .contains("Failures in the last 24 hours (newest first):")
        .containsPattern("ingest\\s+bronze\\.plays stopped: Kafka no longer has records")
        .containsPattern("bronze\\.plays\\s+.*\\s10\\n");
    assertThat(cli(spec, lakeDir, "status", "--format", "json"))
        .contains("\"table\" : \"bronze.plays\"", "\"lag\" : 10");
  }

  private void checkSilverBackfill(
      Path spec, Path lakeDir, LakeLayout lake, ReferenceEvents events) {
    Instant ingested = Instant.now();
    events.produce(300, 7, 0, ingested.minus(Duration.ofDays(1)));
    cli(spec, lakeDir, "ingest", "--once");
    cli(spec, lakeDir, "refine", "--once");
    // What bronze and silver hold of the new records, moved back a day: ingested yesterday.
    Column fresh = col("ingested_at").geq(lit(java.sql.Timestamp.from(ingested)));
    String bronzePlays = lake.table(Layer.BRONZE, "plays");
    // Bronze is append-only: the test lifts that for the move, and puts it back.
    spark.sql(
        "ALTER TABLE delta.`" + bronzePlays + "` SET TBLPROPERTIES (delta.appendOnly = false)");
    DeltaTable.forPath(spark, bronzePlays)
        .update(
            fresh,
            Map.of(
                "ingest_date", expr("date_sub(ingest_date, 1)"),
                "ingested_at", expr("ingested_at - INTERVAL 1 DAY")));
    spark.sql(
        "ALTER TABLE delta.`" + bronzePlays + "` SET TBLPROPERTIES (delta.appendOnly = true)");
    String silverPlays = lake.table(Layer.SILVER, "plays");
    DeltaTable.forPath(spark, silverPlays)
        .update(fresh, Map.of("ingested_at", expr("ingested_at - INTERVAL 1 DAY")));
    long streamed = version(silverPlays);
    LocalDate yesterday = LocalDate.ofInstant(ingested, ZoneOffset.UTC).minusDays(1);
    String yesterdayRecords =
        "(SELECT topic, partition, offset FROM delta.`"
            + bronzePlays
            + "` WHERE ingest_date = DATE'"
            + yesterday
            + "') s ON t.source_table = 'silver.plays' AND t.topic = s.topic"
            + " AND t.partition = s.partition AND t.offset = s.offset";
    String quarantine = "delta.`" + QuarantineTable.path(lake) + "`";
    String quarantinedPlays =
        "SELECT * FROM " + quarantine + " WHERE source_table = 'silver.plays'";
    String yesterdayRows = "ingested_at < TIMESTAMP'" + yesterday.plusDays(1) + " 00:00:00'";
    long records =
        count(
            "SELECT * FROM delta.`"
                + bronzePlays
                + "` WHERE ingest_date = DATE'"
                + yesterday
                + "'");
    long quarantined = count(quarantinedPlays);
    long yesterdayQuarantined =
        count("SELECT * FROM " + quarantine + " t LEFT SEMI JOIN " + yesterdayRecords);
    long yesterdayAccepted =
        count("SELECT * FROM delta.`" + silverPlays + "` WHERE " + yesterdayRows);
    assertThat(yesterdayAccepted).isPositive();
    assertThat(yesterdayQuarantined).isPositive();

    // The bad deploy.
    spark.sql(
        "DELETE FROM delta.`"
            + silverPlays
            + "` WHERE "
            + yesterdayRows
            + " AND source_offset % 3 = 0");
    spark.sql(
        "UPDATE delta.`"
            + silverPlays
            + "` SET device = 'damaged' WHERE "
            + yesterdayRows
            + " AND source_offset % 3 = 1");
    spark.sql(
        "MERGE INTO " + quarantine + " t USING " + yesterdayRecords + " WHEN MATCHED THEN DELETE");
    long damaged = count("SELECT * FROM delta.`" + silverPlays + "` WHERE " + yesterdayRows);

    String[] backfill = {
      "backfill",
      "--table",
      "silver.plays",
      "--from",
      yesterday.toString(),
      "--to",
      yesterday.toString()
    };
    String sentence =
        "Backfilled silver.plays: refined the %,d records bronze ingested from %s to %s again:"
            + " rows %,d -> %,d, quarantined %,d -> %,d.";
    // The first run repairs; the second finds nothing to change.
    for (long[] before :
        List.of(new long[] {damaged, 0}, new long[] {yesterdayAccepted, yesterdayQuarantined})) {
      assertThat(cli(spec, lakeDir, backfill))
          .contains(
              String.format(
                  sentence,
                  records,
                  yesterday,
                  yesterday,
                  before[0],
                  yesterdayAccepted,
                  before[1],
                  yesterdayQuarantined));
      Oracle.equalsRecompute(
          "silver.plays",
          spark.read().format("delta").load(silverPlays),
          spark.read().format("delta").option("versionAsOf", streamed).load(silverPlays));
      assertThat(count(quarantinedPlays)).isEqualTo(quarantined);
    }
    assertThat(
            EventLog.read(spark, lake)
                .where("kind = 'backfill' AND target = 'silver.plays' AND status = 'ok'")
                .count())
        .isEqualTo(2);
  }

  private long count(String query) {
    return spark.sql(query).count();
  }

  private long version(String path) {
    return spark.sql("DESCRIBE HISTORY delta.`" + path + "` LIMIT 1").first().getAs("version");
  }

  private void checkLiveView(Path spec, LakeLayout lake, long bronzePlays, long silverPlays)
      throws Exception {
    Pipeline pipeline = PipelineLoader.load(spec);
    try (LiveView view =
        LiveView.start(spark, pipeline, lake, 0, TestKafka::bootstrapServers, Map.of())) {
      JsonNode graph = get(view.url() + "api/pipeline");
      assertThat(graph.get("name").asText()).isEqualTo("engagement");
      List<String> nodes = new ArrayList<>();
      graph.get("nodes").forEach(n -> nodes.add(n.get("id").asText()));
      List<String> expectedNodes = new ArrayList<>();
      pipeline.bronzeTables().forEach(t -> expectedNodes.add("kafka." + t.source().topic()));
      pipeline.bronzeTables().forEach(t -> expectedNodes.add(t.qualifiedName()));
      pipeline.silverTables().forEach(t -> expectedNodes.add(t.qualifiedName()));
      pipeline.goldTables().forEach(t -> expectedNodes.add(t.qualifiedName()));
      assertThat(nodes).containsExactlyInAnyOrderElementsOf(expectedNodes);
      List<String> edges = new ArrayList<>();
      graph
          .get("edges")
          .forEach(e -> edges.add(e.get("from").asText() + ">" + e.get("to").asText()));
      assertThat(edges)
          .contains(
              "kafka.replay-plays>bronze.plays",
              "bronze.plays>silver.plays",
              "silver.plays>gold.title_daily_engagement",
              "silver.titles_history>gold.genre_daily");

      Map<String, JsonNode> tables = new java.util.HashMap<>();
      get(view.url() + "api/tables").forEach(t -> tables.put(t.get("table").asText(), t));
      assertThat(tables.keySet()).containsAll(expectedNodes.subList(3, expectedNodes.size()));
      assertThat(tables.get("bronze.plays").get("rows").asLong()).isEqualTo(bronzePlays);
      assertThat(tables.get("bronze.plays").get("lag").asLong()).isZero();
      assertThat(tables.get("silver.plays").get("rows").asLong()).isEqualTo(silverPlays);
      long quarantined =
          QuarantineTable.read(spark, lake).where("source_table = 'silver.plays'").count();
      assertThat(tables.get("silver.plays").get("quarantined").asLong()).isEqualTo(quarantined);
      long trending =
          spark.read().format("delta").load(lake.table(Layer.GOLD, "trending_now")).count();
      assertThat(get(view.url() + "api/gold/trending_now").size()).isEqualTo((int) trending);
      assertThat(get(view.url() + "api/failures").size()).isZero();
      HttpResponse<String> missing = fetch(view.url() + "api/gold/nope");
      assertThat(missing.statusCode()).isEqualTo(404);

      String metrics = fetch(view.url() + "metrics").body();
      assertThat(metrics)
          .contains("medallion_table_rows{table=\"silver.plays\"} " + silverPlays + "\n")
          .contains(
              "medallion_kafka_lag_records{topic=\"replay-plays\",table=\"bronze.plays\"} 0\n")
          .contains("medallion_quarantined_rows{table=\"silver.plays\"} " + quarantined + "\n")
          .contains("medallion_failures_24h 0\n");

      // The page, as a browser shows it once its scripts ran.
      String dom = Browser.dom(view.url(), 20_000);
      assertThat(dom).contains("data-loaded=\"true\"");
      for (String table : expectedNodes) {
        assertThat(dom).contains("data-table=\"" + table + "\"");
      }
      assertThat(dom).contains("class=\"bar trending\"", "class=\"bar plays\"");
      Path png = Browser.screenshot(view.url(), dir.resolve("live-view.png"), 1280, 1400, 20_000);
      java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
      assertThat(pixels(image, 0x2b6cb0)).as("trending bars drawn").isGreaterThan(200);
      assertThat(pixels(image, 0x2f855a)).as("activity bars drawn").isGreaterThan(200);
    }
  }

  private static long pixels(java.awt.image.BufferedImage image, int rgb) {
    long count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          count++;
        }
      }
    }
    return count;
  }

  private static HttpResponse<String> fetch(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> response = fetch(url);
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return new ObjectMapper().readTree(response.body());
  }

  /** rows_in, rows_out and lag of the only batch event of {@code target}. */
  private static Row onlyBatch(Dataset<Row> log, String target) {
    List<Row> rows =
        log.where("kind = 'batch' AND target = '" + target + "'")
            .select("rows_in", "rows_out", "lag")
            .collectAsList();
    assertThat(rows).as(target + "'s batch events").hasSize(1);
    return rows.get(0);
  }

  private long bronze(LakeLayout lake, String table) {
    return spark.read().format("delta").load(lake.table(Layer.BRONZE, table)).count();
  }
}
