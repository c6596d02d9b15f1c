package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.jobs.cli.BrokerDefault;
import io.medallion.jobs.cli.LakehouseCommand;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link OrdersPipeline} through the {@code lakehouse} commands on a real Kafka broker and
 * local Spark with Delta, checks its tables exactly, then runs its YAML twin ({@code orders.yaml},
 * beside the pom) on the same topics into a second lake and finds every table equal.
 */
class OrdersPipelineIT {
  /** Columns holding when a run wrote a row, which two runs cannot share. */
  private static final List<String> RUN_TIME_COLUMNS =
      List.of("ingested_at", "ingest_date", "batch_id", "quarantined_at");

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  private static String order(String id, String customer, String amount, String currency) {
    return String.format(
        "{\"order_id\":\"%s\",\"customer_id\":\"%s\",\"amount\":%s,\"currency\":\"%s\","
            + "\"ordered_at\":\"2026-12-01T10:00:00Z\"}",
        id, customer, amount, currency);
  }

  private static String customer(String id, String name, String country, int version) {
    return String.format(
        "{\"customer_id\":\"%s\",\"name\":\"%s\",\"country\":\"%s\",\"version\":%d}",
        id, name, country, version);
  }

  private static String lakehouse(String pipeline, Path lake, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--pipeline",
            pipeline,
            "--lake-root",
            lake.toString(),
            "--bootstrap-servers",
            TestKafka.bootstrapServers(),
            "--conf",
            "spark.master=local[2]"));
    StringWriter out = new StringWriter();
    int exit =
        LakehouseCommand.commandLine(
                BrokerDefault.NONE,
                new PrintWriter(out, true),
                new PrintWriter(out, true),
                List.of())
            .execute(all.toArray(String[]::new));
    assertThat(exit).as(out.toString()).isZero();
    return out.toString();
  }

  private Dataset<Row> table(Path lake, String table) {
    return spark.read().format("delta").load(lake.resolve(table).toString());
  }

  private List<String> rows(Path lake, String table, String... columns) {
    return table(lake, table).selectExpr(columns).orderBy(columns[0]).collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  /**
   * Every data table under the lake, relative to its root; the system tables ({@code _system})
   * aside.
   */
  private static List<String> tables(Path lake) throws IOException {
    try (Stream<Path> logs = Files.walk(lake)) {
      return logs.filter(p -> p.getFileName().toString().equals("_delta_log"))
          .map(p -> lake.relativize(p.getParent()).toString())
          .filter(t -> !t.startsWith("_"))
          .sorted()
          .toList();
    }
  }

  @Test
  void theJavaPipelineRunsAndGivesTheTablesOfItsYamlTwin() throws Exception {
    String java = "java:" + OrdersPipeline.class.getName();
    String yaml = Path.of("orders.yaml").toAbsolutePath().toString();
    Path javaLake = dir.resolve("java-lake");
    Path yamlLake = dir.resolve("yaml-lake");

    lakehouse(java, javaLake, "topics", "--create");
    assertThat(lakehouse(java, javaLake, "validate"))
        .endsWith("Valid: 2 sources; tables: 2 bronze, 2 silver, 2 gold.\n");
    TestKafka.produce(
        "shop-customers",
        List.of(
            Message.of("c1", customer("c1", "Ada", "FR", 1)),
            Message.of("c2", customer("c2", "Grace", "US", 1)),
            Message.of("c1", customer("c1", "Ada L.", "GB", 2))));
    TestKafka.produce(
        "shop-orders",
        List.of(
            Message.of("c1", order("o1", "c1", "10.00", "EUR")),
            Message.of("c1", order("o2", "c1", "20.00", "USD")),
            Message.of("c2", order("o3", "c2", "5.00", "GBP")),
            Message.of("c3", order("o4", "c3", "7.50", "EUR")),
            Message.of("c2", order("o5", "c2", "3.00", "JPY")),
            Message.of("c2", order("o6", "c2", "-1.00", "EUR")),
            Message.of("c1", order("o1", "c1", "10.00", "EUR")),
            Message.of("c2", "{\"order_id\":")));

    String run = lakehouse(java, javaLake, "run", "--once");

    // bronze rows, accepted, quarantined, duplicates, dropped
    assertThat(run)
        .containsPattern("silver\\.orders\\s+8\\s+4\\s+3\\s+1\\s+0\\n")
        .containsPattern("silver\\.customers\\s+3\\s+3\\s+0\\s+0\\s+0\\n");
    assertThat(rows(javaLake, "silver/orders", "order_id", "currency", "amount_eur", "order_date"))
        .containsExactly(
            "[o1,EUR,10.00,2026-12-01]",
            "[o2,USD,18.00,2026-12-01]",
            "[o3,GBP,6.00,2026-12-01]",
            "[o4,EUR,7.50,2026-12-01]");
    assertThat(
            rows(
                javaLake, "gold/daily_revenue", "order_date", "orders", "customers", "revenue_eur"))
        .containsExactly("[2026-12-01,4,3,41.50]");
    assertThat(rows(javaLake, "silver/quarantine", "rule", "source_table"))
        .as("o6 negative, o5 in yen, the broken record")
        .containsExactly(
            "[amount_positive,silver.orders]",
            "[currency_known,silver.orders]",
            "[payload_malformed,silver.orders]");
    assertThat(
            rows(
                javaLake,
                "gold/customer_revenue",
                "customer_id",
                "name",
                "country",
                "orders",
                "revenue_eur"))
        .as("c1 under its latest record; c3 has orders but no record")
        .containsExactly("[c1,Ada L.,GB,2,28.00]", "[c2,Grace,US,1,6.00]", "[c3,null,null,1,7.50]");

    lakehouse(yaml, yamlLake, "run", "--once");

    List<String> tables = tables(javaLake);
    assertThat(tables)
        .containsExactly(
            "bronze/customers",
            "bronze/orders",
            "gold/customer_revenue",
            "gold/daily_revenue",
            "silver/customers",
            "silver/orders",
            "silver/quarantine");
    assertThat(tables(yamlLake)).isEqualTo(tables);
    for (String t : tables) {
      Dataset<Row> fromJava = comparable(table(javaLake, t));
      Dataset<Row> fromYaml = comparable(table(yamlLake, t));
      assertThat(fromYaml.schema()).as(t).isEqualTo(fromJava.schema());
      assertThat(fromJava.count()).as(t).isPositive();
      assertThat(fromJava.exceptAll(fromYaml).count())
          .as(t + ": rows only the Java run wrote")
          .isZero();
      assertThat(fromYaml.exceptAll(fromJava).count())
          .as(t + ": rows only the YAML run wrote")
          .isZero();
    }
  }

  private static Dataset<Row> comparable(Dataset<Row> table) {
    return table.drop(RUN_TIME_COLUMNS.toArray(String[]::new));
  }
}
