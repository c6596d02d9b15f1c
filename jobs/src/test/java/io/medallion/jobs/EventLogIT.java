package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.jobs.cli.LakehouseCommand;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log ({@code _system.events}) after a run of the reference pipeline and a failed
 * ingest, and {@code lakehouse status} over that known state.
 */
class EventLogIT {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  private record Result(int exit, String output) {}

  private Result cli(Path spec, Path lakeDir, String... args) {
    StringWriter out = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--pipeline",
            spec.toString(),
            "--lake-root",
            lakeDir.toString(),
            "--bootstrap-servers",
            TestKafka.bootstrapServers()));
    int exit =
        LakehouseCommand.execute(
            new PrintWriter(out, true), new PrintWriter(out, true), all.toArray(String[]::new));
    return new Result(exit, out.toString());
  }

  @Test
  void batchesRulesAndFailuresAreLoggedAndStatusSummarisesThem() throws Exception {
    Path spec = ReferenceSpec.copy(dir, "events-");
    Path lakeDir = dir.resolve("lake");
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    ReferenceEvents events = new ReferenceEvents(spec, "events-");
    events.produce(600, 3, 0);
    Map<String, Long> perTopic =
        events.acknowledged().stream()
            .collect(Collectors.groupingBy(Coordinates::topic, Collectors.counting()));

    Result run = cli(spec, lakeDir, "run", "--once");
    assertThat(run.exit()).as(run.output()).isZero();

    // One batch per query (--once, a small backlog), with what it read and wrote.
    Dataset<Row> log = EventLog.read(spark, lake);
    for (String topic : List.of("plays", "impressions", "titles")) {
      Row batch = batch(log, "bronze." + topic);
      assertThat(batch.getLong(0)).as("bronze.%s rows in", topic)
          .isEqualTo(perTopic.get("events-" + topic));
      assertThat(batch.getLong(2)).as("bronze.%s lag after its batch", topic).isZero();
    }
    long bronzePlays = spark.read().format("delta").load(lake.table(Layer.BRONZE, "plays")).count();
    long silverPlays = spark.read().format("delta").load(lake.table(Layer.SILVER, "plays")).count();
    Row plays = batch(log, "silver.plays");
    assertThat(plays.getLong(0)).isEqualTo(bronzePlays);
    assertThat(plays.getLong(1)).isEqualTo(silverPlays);
    assertThat(log.where("kind = 'batch' AND target LIKE 'gold.%'").count()).isPositive();

    // Each rule of silver.plays, once, with the rows it saw.
    List<Row> rules =
        log.where("kind = 'rule' AND target LIKE 'silver.plays/%'")
            .select("target", "rows_in", "rows_out", "status")
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

    // status on that state: every table, bronze caught up, no failures.
    Result status = cli(spec, lakeDir, "status");
    assertThat(status.exit()).as(status.output()).isZero();
    assertThat(status.output())
        .contains("No failures in the last 24 hours.")
        .containsPattern(
            "bronze\\.plays\\s+\\d+ s ago\\s+0\\s+\\d+ s ago\\s+"
                + String.format("%,d", perTopic.get("events-plays"))
                + "\\s+-\\s+0\\n")
        .containsPattern(
            "silver\\.plays\\s+\\d+ s ago\\s+0\\s+\\d+ s ago\\s+"
                + String.format("%,d", bronzePlays)
                + "\\s+"
                + String.format("%,d", silverPlays)
                + "\\s*\\n")
        .contains("gold.trending_now", "gold.title_daily_engagement", "silver.titles_history");

    // Ten more plays expire before bronze reads them: the ingest fails, and says so in the log.
    String topic = "events-plays";
    List<Coordinates> lost = TestKafka.produceNumbers(topic, 0, 10);
    for (Coordinates c : lost) {
      TestKafka.expireRecords(topic, c.partition(), c.offset() + 1);
    }
    Result ingest = cli(spec, lakeDir, "ingest", "--once");
    assertThat(ingest.exit()).isEqualTo(LakehouseCommand.EXIT_FAILURE);
    assertThat(
            EventLog.read(spark, lake)
                .where("kind = 'failure' AND job = 'ingest'")
                .select("message")
                .first()
                .getString(0))
        .contains("bronze.plays stopped: Kafka no longer has records");

    status = cli(spec, lakeDir, "status");
    assertThat(status.output())
        .contains("Failures in the last 24 hours (newest first):")
        .containsPattern("ingest\\s+bronze\\.plays stopped: Kafka no longer has records")
        .containsPattern("bronze\\.plays\\s+.*\\s10\\n");
    Result json = cli(spec, lakeDir, "status", "--format", "json");
    assertThat(json.output()).contains("\"table\" : \"bronze.plays\"", "\"lag\" : 10");
  }

  /** rows_in, rows_out and lag of the only batch event of {@code target}. */
  private static Row batch(Dataset<Row> log, String target) {
    List<Row> rows =
        log.where("kind = 'batch' AND target = '" + target + "'")
            .select("rows_in", "rows_out", "lag")
            .collectAsList();
    assertThat(rows).as(target + "'s batch events").hasSize(1);
    return rows.get(0);
  }
}
