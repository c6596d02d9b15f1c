package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.Browser;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestSpark;
import io.medallion.workbench.serve.LiveView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second shipped pipeline, {@code pipelines/telemetry}, of another domain than the reference:
 * hand-written readings and device registry changes through bronze, silver (append, SCD1 and SCD2,
 * with a re-send, a broken record and a rule failure) and gold, with exact results; a device moved
 * without new readings reaches gold; the live view draws its gold tables.
 */
class TelemetryPipelineIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SparkSession spark = TestSpark.get();

  private static String reading(
      String id, String device, double celsius, int battery, String readAt) {
    return String.format(
        "{\"reading_id\":\"%s\",\"device_id\":\"%s\",\"temperature_c\":%s,\"humidity_pct\":50.0,"
            + "\"battery_pct\":%d,\"read_at\":\"%s\"}",
        id, device, celsius, battery, readAt);
  }

  private static String device(
      String op, String id, String site, String model, int seq, String at) {
    return String.format(
        "{\"op\":\"%s\",\"device_id\":\"%s\",\"site\":\"%s\",\"model\":\"%s\",\"seq\":%d,"
            + "\"changed_at\":\"%s\"}",
        op, id, site, model, seq, at);
  }

  private static String cli(Path spec, Path lake, String... args) {
    Cli.Result r = Cli.run(spec, lake, args);
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  private List<String> rows(Path lake, String table, String order) {
    Dataset<Row> frame = spark.read().format("delta").load(lake.resolve(table).toString());
    return frame
        .orderBy(
            java.util.Arrays.stream(order.split(","))
                .map(frame::col)
                .toArray(org.apache.spark.sql.Column[]::new))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void readingsAndDeviceChangesGiveExactSilverAndGold() throws Exception {
    Path spec = ReferenceSpec.telemetry(dir, "tele-");
    Path lake = dir.resolve("lake");
    cli(spec, lake, "topics", "--create");
    String day = "2026-12-01T";
    TestKafka.produce(
        "tele-devices",
        List.of(
            Message.of("d1", device("c", "d1", "north", "m1", 1, day + "00:00:00Z")),
            Message.of("d2", device("c", "d2", "north", "m2", 1, day + "00:00:00Z")),
            Message.of("d1", device("u", "d1", "south", "m1", 2, day + "10:30:00Z")),
            Message.of("d3", device("c", "d3", "south", "m1", 1, day + "00:00:00Z")),
            Message.of("d3", device("d", "d3", "south", "m1", 2, day + "12:00:00Z")),
            Message.of("d2", device("c", "d2", "north", "m2", 1, day + "00:00:00Z")),
            Message.of("d4", device("x", "d4", "west", "m1", 1, day + "00:00:00Z"))));
    TestKafka.produce(
        "tele-readings",
        List.of(
            Message.of("d1", reading("r1", "d1", 20.0, 80, day + "10:00:00Z")),
            Message.of("d1", reading("r2", "d1", 22.0, 15, day + "11:00:00Z")),
            Message.of("d2", reading("r3", "d2", 30.0, 10, day + "10:15:00Z")),
            Message.of("d2", reading("r4", "d2", 31.0, 9, day + "10:45:00Z")),
            Message.of("d3", reading("r5", "d3", 25.0, 5, day + "11:30:00Z")),
            Message.of("d1", reading("r6", "d1", 18.0, 70, "2026-12-02T09:00:00Z")),
            Message.of("d1", reading("r1", "d1", 20.0, 80, day + "10:00:00Z")),
            Message.of("d2", reading("r7", "d2", 99.0, 50, day + "10:50:00Z")),
            Message.of("d2", "{\"reading_id\":"),
            Message.of("d9", reading("r9", "d9", 21.0, 50, day + "10:05:00Z"))));

    String run = cli(spec, lake, "run", "--once");

    // bronze rows, accepted, quarantined, duplicates, dropped
    assertThat(run)
        .containsPattern("silver\\.readings\\s+10\\s+7\\s+2\\s+1\\s+0\\n")
        .containsPattern("silver\\.devices\\s+7\\s+5\\s+1\\s+1\\s+0\\n")
        .containsPattern("silver\\.devices_history\\s+7\\s+5\\s+1\\s+1\\s+0\\n");
    assertThat(rows(lake, "silver/devices", "device_id"))
        .as("d3 retired, d4 quarantined")
        .extracting(r -> r.substring(0, r.indexOf(",2026")))
        .containsExactly("[u,d1,south,m1,2", "[c,d2,north,m2,1");
    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.resolve("silver/devices_history").toString())
                .orderBy("device_id", "valid_from")
                .selectExpr("device_id", "site", "op", "valid_from", "valid_to", "is_current")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .containsExactly(
            "[d1,north,c,2026-12-01 00:00:00.0,2026-12-01 10:30:00.0,false]",
            "[d1,south,u,2026-12-01 10:30:00.0,null,true]",
            "[d2,north,c,2026-12-01 00:00:00.0,null,true]",
            "[d3,south,c,2026-12-01 00:00:00.0,2026-12-01 12:00:00.0,false]",
            "[d3,south,d,2026-12-01 12:00:00.0,2026-12-01 12:00:00.0,false]");
    assertThat(rows(lake, "gold/device_daily", "device_id,reading_date"))
        .containsExactly(
            "[d1,2026-12-01,2,20.0,21.0,22.0,15]",
            "[d1,2026-12-02,1,18.0,18.0,18.0,70]",
            "[d2,2026-12-01,2,30.0,30.5,31.0,9]",
            "[d3,2026-12-01,1,25.0,25.0,25.0,5]",
            "[d9,2026-12-01,1,21.0,21.0,21.0,50]");
    assertThat(rows(lake, "gold/site_hourly", "site,reading_hour"))
        .as("d1 counted at north before its move and at south after; d9 never registered")
        .containsExactly(
            "[north,2026-12-01 10:00:00.0,3,2,27.0]",
            "[south,2026-12-01 11:00:00.0,2,2,23.5]",
            "[south,2026-12-02 09:00:00.0,1,1,18.0]");
    assertThat(rows(lake, "gold/low_battery", "device_id"))
        .as("d3 is retired, d1's latest battery is 70")
        .containsExactly("[d2,north,m2,9,2026-12-01 10:45:00.0]");

    // A device moved, with no new reading: the gold table that joins the registry follows.
    TestKafka.produce(
        "tele-devices",
        List.of(Message.of("d2", device("u", "d2", "east", "m2", 2, day + "12:30:00Z"))));
    cli(spec, lake, "run", "--once");
    assertThat(rows(lake, "gold/low_battery", "device_id"))
        .containsExactly("[d2,east,m2,9,2026-12-01 10:45:00.0]");
    assertThat(rows(lake, "gold/site_hourly", "site,reading_hour"))
        .as("readings before the move stay where they were taken")
        .containsExactly(
            "[north,2026-12-01 10:00:00.0,3,2,27.0]",
            "[south,2026-12-01 11:00:00.0,2,2,23.5]",
            "[south,2026-12-02 09:00:00.0,1,1,18.0]");
    assertThat(cli(spec, lake, "quarantine", "list", "--table", "readings"))
        .startsWith("2 quarantined records of silver.readings:\n")
        .contains("temperature_in_range")
        .contains("payload_malformed");
    assertThat(cli(spec, lake, "check")).endsWith("Reconciliation holds.\n");

    checkLiveView(spec, lake);
  }

  /** The live view has a chart for each gold table of a pipeline it has no special case for. */
  private void checkLiveView(Path spec, Path lake) throws Exception {
    try (LiveView view =
        LiveView.start(
            spark,
            PipelineLoader.load(spec),
            LakeLayout.of(lake.toString()),
            0,
            TestKafka::bootstrapServers,
            Map.of())) {
      HttpResponse<String> graph =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(view.url() + "api/pipeline")).build(),
                  HttpResponse.BodyHandlers.ofString());
      JsonNode gold = new ObjectMapper().readTree(graph.body()).get("nodes").get(7);
      assertThat(gold.get("id").asText()).isEqualTo("gold.device_daily");
      assertThat(gold.get("description").asText()).startsWith("Per device and UTC date:");

      String dom = Browser.dom(view.url(), 20_000);

      assertThat(dom).contains("data-loaded=\"true\"");
      // Each chart offers the table's numeric columns and shows the first.
      Map<String, String> measures =
          Map.of(
              "gold.device_daily", "readings",
              "gold.site_hourly", "readings",
              "gold.low_battery", "battery_pct");
      measures.forEach(
          (table, measure) -> {
            String section = dom.substring(dom.indexOf("data-gold=\"" + table + "\""));
            section = section.substring(0, section.indexOf("</section>"));
            assertThat(section)
                .as(table)
                .contains("<option value=\"" + measure + "\">")
                .contains("class=\"bar gold\"");
          });
    }
  }
}
