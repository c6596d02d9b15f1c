package io.medallion.jobs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.SpecException;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder defines the pipelines YAML does, validated the same way, with errors at the call. */
class PipelineBuilderTest {
  /** The pipeline with where each part was declared left out: what the engines run. */
  private static String withoutLocations(Pipeline pipeline) {
    return pipeline
        .toString()
        .replaceAll("specLine=\\d+", "specLine=_")
        .replaceAll("specFile=[^,\\]]+", "specFile=_")
        .replaceAll("\\[file=[^,\\]]+", "[file=_");
  }

  /** A pipeline "orders" with its source and bronze table, for the silver and gold under test. */
  private static PipelineBuilder orders() {
    return PipelineBuilder.pipeline("orders")
        .source("orders", s -> s.topic("orders"))
        .bronze("orders", b -> b.source("orders"));
  }

  @Test
  void theTelemetryPipelineInJavaIsTheYamlOne() {
    Pipeline yaml = PipelineLoader.load(Path.of("../pipelines/telemetry/pipeline.yaml"));

    Pipeline java = new TelemetryInJava().define();

    assertThat(withoutLocations(java)).isEqualTo(withoutLocations(yaml));
    assertThat(java.silverTables().get(2).specFile()).isEqualTo(Path.of("TelemetryInJava.java"));
  }

  @Test
  void anErrorNamesTheBuilderCallThatSetTheKey() {
    assertThatThrownBy(
            () ->
                orders()
                    .silver(
                        "orders",
                        t -> t.source("orders").field("seq", "bigint").scd1(List.of(), "seq"))
                    .build())
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "PipelineBuilderTest.java:"
                + lineOf(".scd1(List.of(), \"seq\")")
                + " [silver.tables.orders.write.keys]: SCD1 needs keys\n"
                + "  Fix: Add keys: [the key columns].");
  }

  @Test
  void aTypoInAFieldTypeIsReportedAtItsFieldCall() {
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class,
            () ->
                orders()
                    .silver(
                        "orders",
                        t ->
                            t.source("orders")
                                .field("order_id", "string")
                                .field("amount", "decimall(10,2)")
                                .append("order_id"))
                    .build());

    assertThat(e.file()).isEqualTo("PipelineBuilderTest.java");
    assertThat(e.key()).isEqualTo("silver.tables.orders.payload.schema.amount");
    assertThat(e.line()).isEqualTo(lineOf("\"decimall"));
  }

  @Test
  void aGoldTableComputedInJavaNamesItsClassAndSources() {
    Pipeline pipeline =
        orders()
            .silver(
                "orders", t -> t.source("orders").field("order_id", "string").append("order_id"))
            .gold("order_count", g -> g.compute(CountOrders.class, "silver.orders").full())
            .build();

    Pipeline.GoldTable gold = pipeline.goldTables().get(0);
    assertThat(gold.isJava()).isTrue();
    assertThat(gold.className()).isEqualTo(CountOrders.class.getName());
    assertThat(gold.sources()).isEqualTo(List.of("silver.orders"));
    assertThat(gold.sql()).isEmpty();
  }

  @Test
  void aStreamingGoldTableMayCloseItsEventTimeWindowsOneByOne() {
    Pipeline pipeline =
        orders()
            .silver(
                "orders",
                t ->
                    t.source("orders")
                        .field("order_id", "string")
                        .field("ordered_at", "timestamp")
                        .field("order_date", "date")
                        .append("order_id"))
            .gold(
                "hourly",
                g ->
                    g.streaming("order_date", "10m")
                        .eventTime("ordered_at")
                        .window("hour", "1h")
                        .sql(
                            "SELECT order_date, date_trunc('HOUR', ordered_at) AS hour, count(*)"
                                + " AS orders FROM silver.orders GROUP BY 1, 2"))
            .build();

    assertThat(pipeline.goldTables().get(0).window())
        .isEqualTo(new Pipeline.EventWindow("hour", java.time.Duration.ofHours(1)));
  }

  @Test
  void aGoldClassReadingAnUndeclaredTableIsRefused() {
    assertThatThrownBy(
            () ->
                orders()
                    .silver(
                        "orders",
                        t -> t.source("orders").field("order_id", "string").append("order_id"))
                    .gold("order_count", g -> g.compute(CountOrders.class, "silver.order").full())
                    .build())
        .isInstanceOf(SpecException.class)
        .hasMessageContaining(
            "[gold.tables.order_count.sources]: the class reads silver.order, which the spec does"
                + " not declare");
  }

  /** A gold table in Java: the number of orders. */
  public static final class CountOrders implements io.medallion.gold.GoldTransform {
    @Override
    public org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> compute(
        org.apache.spark.sql.SparkSession spark) {
      return spark.table("silver.orders").selectExpr("count(*) AS orders");
    }
  }

  /** The line of this test's source that holds {@code text}, read from the source file. */
  @Test
  void layerDefaultsAndMaintenancePoliciesAreTheYamlOnes(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("pipeline.yaml");
    Files.writeString(
        yaml,
        """
        name: orders
        sources:
          orders: {topic: orders}
        bronze:
          defaults:
            starting_offsets: latest
            max_offsets_per_trigger: 5000
            fail_on_data_loss: false
            trigger_interval: 2s
            on_failure: restart
          tables:
            orders: {source: orders, trigger_interval: 1s}
        silver:
          defaults: {trigger_interval: 3s, max_files_per_trigger: 10, on_failure: restart}
          tables:
            orders:
              source: orders
              payload:
                schema: {order_id: string, amount: double}
              write: {mode: append, keys: [order_id]}
        gold:
          defaults: {trigger_interval: 30s, on_failure: restart}
          tables:
            total:
              refresh: full
              sql: SELECT count(*) AS orders FROM silver.orders
        maintenance:
          defaults: {target_file_size: 64MB, vacuum_retention: 336h}
          bronze: {auto_compact: false}
          silver: {target_file_size: 32MB}
          gold: {vacuum_retention: 200h}
          tables:
            silver.orders: {zorder_by: [order_id]}
        """);

    Pipeline java =
        PipelineBuilder.pipeline("orders")
            .source("orders", s -> s.topic("orders"))
            .bronzeDefaults(
                d ->
                    d.startingOffsets("latest")
                        .maxOffsetsPerTrigger(5000)
                        .failOnDataLoss(false)
                        .triggerInterval("2s")
                        .onFailure("restart"))
            .bronze("orders", b -> b.source("orders").triggerInterval("1s"))
            .silverDefaults(
                d -> d.triggerInterval("3s").maxFilesPerTrigger(10).onFailure("restart"))
            .silver(
                "orders",
                t ->
                    t.source("orders")
                        .field("order_id", "string")
                        .field("amount", "double")
                        .append("order_id"))
            .goldDefaults(d -> d.triggerInterval("30s").onFailure("restart"))
            .gold("total", g -> g.full().sql("SELECT count(*) AS orders FROM silver.orders"))
            .maintenance(
                m ->
                    m.defaults(p -> p.targetFileSize("64MB").vacuumRetention("336h"))
                        .bronze(p -> p.autoCompact(false))
                        .silver(p -> p.targetFileSize("32MB"))
                        .gold(p -> p.vacuumRetention("200h"))
                        .table("silver.orders", p -> p.zorderBy("order_id")))
            .build();

    assertThat(withoutLocations(java)).isEqualTo(withoutLocations(PipelineLoader.load(yaml)));
    assertThat(java.bronzeTables().get(0).triggerInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aMaintenanceErrorNamesItsBuilderCall() {
    assertThatThrownBy(
            () -> orders().maintenance(m -> m.bronze(p -> p.vacuumRetention("24h"))).build())
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "PipelineBuilderTest.java:"
                + lineOf("p.vacuumRetention(\"24h\")")
                + " [maintenance.bronze.vacuum_retention]: a vacuum retention of 24h is shorter"
                + " than 168h: VACUUM could delete files that a streaming reader behind the table,"
                + " or a running job, still has to read\n"
                + "  Fix: Keep at least 168h (7 days), longer than any reader can fall behind.");
  }

  private static int lineOf(String text) {
    try {
      List<String> lines =
          java.nio.file.Files.readAllLines(
              Path.of("src/test/java/io/medallion/jobs/api/PipelineBuilderTest.java"));
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains(text) && !lines.get(i).contains("lineOf(")) {
          return i + 1;
        }
      }
    } catch (java.io.IOException io) {
      throw new AssertionError(io);
    }
    throw new AssertionError(text + " not found");
  }
}
