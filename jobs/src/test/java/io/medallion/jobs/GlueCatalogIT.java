package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.localstack.ChildJvm;
import io.medallion.localstack.LocalAws;
import io.medallion.localstack.LocalS3;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Message;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * {@code run --once --catalog glue} from the cluster jar, on the classpath a cluster provides, with
 * the lake on S3 (S3Proxy) and the Glue Data Catalog emulated (moto): every table of the spec is
 * registered where Athena reads it, and a schema change updates the entry.
 */
class GlueCatalogIT {
  private static final String LAKE = "s3a://lake/medallion";

  @TempDir static Path dir;

  private static LocalS3 s3;
  private static LocalAws aws;
  private static GlueClient glue;

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3.start(Path.of(System.getProperty("medallion.s3proxy.jar")), dir, "lake");
    aws = LocalAws.start(dir.resolve("moto.log"));
    glue =
        GlueClient.builder()
            .endpointOverride(URI.create(aws.endpoint()))
            .region(Region.of(LocalAws.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    // Terraform's catalog module makes the databases; gold under a deployment's own name.
    for (String db : List.of("bronze", "silver", "analytics_gold", "medallion_system")) {
      glue.createDatabase(b -> b.databaseInput(d -> d.name(db)));
    }
  }

  @AfterAll
  static void stop() {
    if (glue != null) {
      glue.close();
    }
    if (aws != null) {
      aws.stop();
    }
    if (s3 != null) {
      s3.stop();
    }
  }

  @Test
  void everyTableIsRegisteredForAthenaAndAnAddedColumnUpdatesItsEntry() throws Exception {
    String topic = TestKafka.createTopic("readings", 1);
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(spec, spec(topic, ""));
    TestKafka.produce(
        topic,
        List.of(
            reading("r1", "d1", "21.5", "2026-12-01T10:00:00Z"),
            reading("r2", "d1", "22.0", "2026-12-01T11:00:00Z"),
            reading("r3", "d2", "19.0", "2026-12-02T09:30:00Z")));

    String first = runOnce(spec, "first");

    assertThat(catalogLines(first))
        .as(first)
        .containsExactlyInAnyOrder(
            "catalog: registered bronze.readings in Glue as bronze.readings",
            "catalog: registered silver.readings in Glue as silver.readings",
            "catalog: registered silver.quarantine in Glue as silver.quarantine",
            "catalog: registered gold.device_daily in Glue as analytics_gold.device_daily",
            "catalog: registered _system.events in Glue as medallion_system.events",
            "catalog: registered _system.reconciliation in Glue as medallion_system.reconciliation",
            "catalog: registered _system.expectation_results in Glue as"
                + " medallion_system.expectation_results",
            "catalog: registered _system.gold_late_slices in Glue as"
                + " medallion_system.gold_late_slices");
    assertThat(tables("bronze")).containsOnlyKeys("readings");
    assertThat(tables("silver")).containsOnlyKeys("readings", "quarantine");
    assertThat(tables("analytics_gold")).containsOnlyKeys("device_daily");
    assertThat(tables("medallion_system"))
        .containsOnlyKeys("events", "reconciliation", "expectation_results", "gold_late_slices");

    Table silver = tables("silver").get("readings");
    assertThat(silver.tableType()).isEqualTo("EXTERNAL_TABLE");
    assertThat(silver.parameters())
        .containsEntry("table_type", "DELTA")
        .containsEntry("EXTERNAL", "TRUE")
        .containsEntry("spark.sql.sources.provider", "delta");
    assertThat(silver.storageDescriptor().location())
        .isEqualTo("s3://lake/medallion/silver/readings");
    assertThat(described(silver.storageDescriptor().columns()))
        .isEqualTo(
            "reading_id string, device_id string, value double, read_at timestamp, source_topic string,"
                + " source_partition int, source_offset bigint, ingested_at timestamp");
    assertThat(described(silver.partitionKeys())).isEqualTo("read_date date");
    Table bronze = tables("bronze").get("readings");
    assertThat(bronze.storageDescriptor().location())
        .isEqualTo("s3://lake/medallion/bronze/readings");
    assertThat(described(bronze.storageDescriptor().columns()))
        .isEqualTo(
            "topic string, partition int, offset bigint, kafka_timestamp timestamp, key binary,"
                + " value binary, headers array<struct<key:string,value:binary>>, ingested_at"
                + " timestamp, batch_id bigint");
    assertThat(described(bronze.partitionKeys())).isEqualTo("ingest_date date");
    Table gold = tables("analytics_gold").get("device_daily");
    assertThat(gold.storageDescriptor().location())
        .isEqualTo("s3://lake/medallion/gold/device_daily");
    assertThat(described(gold.storageDescriptor().columns()))
        .isEqualTo("device_id string, read_date date, readings bigint, mean_value double");
    assertThat(gold.partitionKeys()).isEmpty();
    Table quarantine = tables("silver").get("quarantine");
    assertThat(described(quarantine.storageDescriptor().columns()))
        .isEqualTo(
            "source_table string, rule string, reason string, raw_value string, topic string,"
                + " partition int, offset bigint, batch_id bigint, quarantined_at timestamp,"
                + " raw_encoding string");
    Table events = tables("medallion_system").get("events");
    assertThat(events.storageDescriptor().location())
        .isEqualTo("s3://lake/medallion/_system/events");
    assertThat(described(events.storageDescriptor().columns()))
        .isEqualTo(
            "event_id string, event_time timestamp, kind string, job string, run_id string,"
                + " target string, batch_id bigint, rows_in bigint, rows_out bigint, duration_ms"
                + " bigint, start_offsets string, end_offsets string, lag bigint, watermark"
                + " string, status string, message string, details string");
    assertThat(described(events.partitionKeys())).isEqualTo("event_date date");
    assertThat(
            described(
                tables("medallion_system").get("gold_late_slices").storageDescriptor().columns()))
        .isEqualTo(
            "gold_table string, slice date, late_rows bigint, batch_id bigint, recorded_at"
                + " timestamp, corrected_at timestamp");

    // A field added to the payload schema: the table takes the column, and so does its entry.
    Files.writeString(spec, spec(topic, "          unit: string\n"));
    TestKafka.produce(topic, List.of(reading("r4", "d2", "19.5", "2026-12-02T10:00:00Z")));

    String second = runOnce(spec, "second");

    assertThat(catalogLines(second))
        .as(second)
        .containsExactly("catalog: updated silver.readings in Glue as silver.readings");
    Table evolved = tables("silver").get("readings");
    assertThat(described(evolved.storageDescriptor().columns()))
        .isEqualTo(
            "reading_id string, device_id string, value double, read_at timestamp, source_topic string,"
                + " source_partition int, source_offset bigint, ingested_at timestamp"
                + ", unit string");
    assertThat(described(evolved.partitionKeys())).isEqualTo("read_date date");
    assertThat(evolved.storageDescriptor().location())
        .isEqualTo("s3://lake/medallion/silver/readings");
  }

  private static Message reading(String id, String device, String value, String at) {
    return Message.of(
        device,
        "{\"reading_id\":\""
            + id
            + "\",\"device_id\":\""
            + device
            + "\",\"value\":"
            + value
            + ",\"read_at\":\""
            + at
            + "\"}");
  }

  private static String spec(String topic, String extraField) {
    return """
        name: readings
        description: Device readings, to check the Glue registration.
        sources:
          readings:
            topic: %s
            partitions: 1
            format: json
            key: device_id
            description: Readings.
        bronze:
          tables:
            readings:
              source: readings
              description: Raw readings.
        silver:
          tables:
            readings:
              source: readings
              description: One row per reading.
              payload:
                format: json
                schema:
                  reading_id: string
                  device_id: string
                  value: double
                  read_at: timestamp
        %s        required: [read_at]
              transform:
                sql: SELECT *, to_date(read_at) AS read_date FROM input
              write:
                mode: append
                keys: [reading_id]
                partition_by: [read_date]
        gold:
          tables:
            device_daily:
              description: Readings per device and day.
              refresh: incremental
              slice: read_date
              sql: |
                SELECT device_id, read_date, count(*) AS readings, avg(value) AS mean_value
                FROM silver.readings
                GROUP BY device_id, read_date
        """
        .formatted(topic, extraField);
  }

  /** Runs {@code run --once --catalog glue} from the cluster jar; returns its output. */
  private static String runOnce(Path spec, String name) throws Exception {
    List<String> command = new ArrayList<>();
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-opens") || flag.startsWith("-Djdk.reflect")) {
        command.add(flag);
      }
    }
    command.addAll(
        List.of(
            "-Xmx1g",
            "-Dspark.master=local[2]",
            "-Dspark.sql.shuffle.partitions=2",
            "-Dspark.ui.enabled=false",
            // The AWS SDK's own settings: Glue at the emulator, test credentials.
            "-Daws.endpointUrlGlue=" + aws.endpoint(),
            "-Daws.region=" + LocalAws.REGION,
            "-Daws.accessKeyId=testing",
            "-Daws.secretAccessKey=testing",
            "-cp",
            ClusterJarIT.clusterClasspath(),
            Main.class.getName(),
            "run",
            "--once",
            "--pipeline",
            spec.toString(),
            "--lake-root",
            LAKE,
            "--bootstrap-servers",
            TestKafka.bootstrapServers(),
            "--catalog",
            "glue",
            "--glue-database",
            "gold=analytics_gold"));
    s3.hadoopConf()
        .forEach((k, v) -> command.addAll(List.of("--conf", "spark.hadoop." + k + "=" + v)));
    Path log = dir.resolve(name + ".log");
    int exit = ChildJvm.run(command, log, Duration.ofMinutes(5));
    String output = Files.readString(log);
    assertThat(exit).as(output).isZero();
    return output;
  }

  private static List<String> catalogLines(String output) {
    return output.lines().filter(l -> l.startsWith("catalog: ")).toList();
  }

  private static Map<String, Table> tables(String database) {
    return glue.getTablesPaginator(b -> b.databaseName(database)).stream()
        .flatMap(page -> page.tableList().stream())
        .collect(Collectors.toMap(Table::name, t -> t, (a, b) -> a, TreeMap::new));
  }

  private static String described(List<Column> columns) {
    return columns.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "));
  }
}
