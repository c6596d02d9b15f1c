package io.medallion.jobs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.SpecException;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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
