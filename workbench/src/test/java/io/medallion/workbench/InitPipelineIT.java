package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline {@code lakehouse init} writes runs end to end on a real broker: its topic is
 * created, records go through bronze, silver (a duplicate, a broken record and a rule failure
 * handled) and gold, with exact results; validate then sees its topic on the broker.
 */
class InitPipelineIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SparkSession spark = TestSpark.get();

  private static String order(String id, String customer, String amount, String at) {
    return "{\"order_id\":\""
        + id
        + "\",\"customer_id\":\""
        + customer
        + "\",\"amount\":"
        + amount
        + ",\"ordered_at\":\""
        + at
        + "\"}";
  }

  private static String cli(Path spec, Path lake, String... args) {
    Cli.Result r = Cli.run(spec, lake, args);
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  private List<String> rows(Path table, String... columns) {
    Dataset<Row> selected = spark.read().format("delta").load(table.toString()).selectExpr(columns);
    return selected.orderBy(selected.columns()[0]).collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  private static void edit(Path spec, String from, String to) {
    try {
      String text = Files.readString(spec);
      assertThat(text).contains(from);
      Files.writeString(spec, text.replace(from, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theInitialisedPipelineRunsOnceWithExactSilverAndGold() {
    StringWriter initOut = new StringWriter();
    assertThat(
            Main.execute(
                new PrintWriter(initOut),
                new PrintWriter(initOut),
                "init",
                dir.resolve("shop").toString(),
                "--name",
                "initshop"))
        .as(initOut.toString())
        .isZero();
    Path spec = dir.resolve("shop/pipeline.yaml");
    Path lake = dir.resolve("lake");
    cli(spec, lake, "topics", "--create");
    TestKafka.produce(
        "initshop_orders",
        List.of(
            Message.of("o1", order("o1", "c1", "10.5", "2026-12-01T10:00:00Z")),
            Message.of("o2", order("o2", "c2", "4.5", "2026-12-01T11:00:00Z")),
            Message.of("o3", order("o3", "c1", "5.0", "2026-12-02T09:00:00Z")),
            Message.of("o1", order("o1", "c1", "10.5", "2026-12-01T10:00:00Z")),
            Message.of("o4", order("o4", "c3", "-1", "2026-12-02T09:30:00Z")),
            Message.of("o5", "not json")));

    String run = cli(spec, lake, "run", "--once");

    assertThat(run).containsPattern("silver\\.orders\\s+6\\s+3\\s+2\\s+1\\s+0\\n");
    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.resolve("gold/daily_sales").toString())
                .orderBy("order_date")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .containsExactly("[2026-12-01,2,2,15.0]", "[2026-12-02,1,1,5.0]");

    String validate = cli(spec, lake, "validate");

    assertThat(validate)
        .contains(
            "Topics at " + TestKafka.bootstrapServers() + ":\n  initshop_orders: 1 partition\n")
        .doesNotContain("The next run changes")
        .endsWith("Valid: 1 source; tables: 1 bronze, 1 silver, 1 gold.\n");

    // The operations a user reaches for next, each through the CLI.
    assertThat(cli(spec, lake, "quarantine", "list", "--table", "orders"))
        .isEqualTo(
            "2 quarantined records of silver.orders:\n"
                + "  initshop_orders/0@4  amount_not_negative    failed amount_not_negative:"
                + " amount >= 0\n"
                + "    utf8: "
                + order("o4", "c3", "-1", "2026-12-02T09:30:00Z")
                + "\n"
                + "  initshop_orders/0@5  payload_malformed      not a JSON object: not json\n"
                + "    utf8: not json\n");

    // The rule was too strict: a refund of up to 5 is a valid order.
    edit(spec, "rule: amount >= 0", "rule: amount >= -5");
    assertThat(
            cli(
                spec,
                lake,
                "quarantine",
                "reprocess",
                "--table",
                "orders",
                "--rule",
                "amount_not_negative"))
        .isEqualTo(
            "Reprocessed 1 records of silver.orders (rule amount_not_negative): 1 accepted, 0"
                + " duplicates, 0 dropped; 0 stay in quarantine.\n");
    cli(spec, lake, "aggregate", "--once");
    assertThat(rows(lake.resolve("gold/daily_sales"), "*"))
        .containsExactly("[2026-12-01,2,2,15.0]", "[2026-12-02,2,2,4.0]");

    // A changed gold query is refused by the streaming run, then rebuilt on request.
    edit(
        spec,
        "sum(amount) AS revenue",
        "sum(amount) AS revenue,\n               max(amount) AS largest");
    Cli.Result refused = Cli.run(spec, lake, "aggregate", "--once");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.output()).contains("M203").contains("sql.sha256");
    assertThat(cli(spec, lake, "aggregate", "--full-refresh", "--table", "gold.daily_sales"))
        .contains("gold.daily_sales: definition changed since its checkpoint:");
    assertThat(rows(lake.resolve("gold/daily_sales"), "*"))
        .containsExactly("[2026-12-01,2,2,15.0,10.5]", "[2026-12-02,2,2,4.0,5.0]");

    // A type that does not widen is refused by the run and applied by a full refresh of silver.
    edit(spec, "amount: double", "amount: decimal(10,2)");
    Cli.Result narrowed = Cli.run(spec, lake, "refine", "--once");
    assertThat(narrowed.exit()).isEqualTo(1);
    assertThat(narrowed.output())
        .contains("column 'amount' changes type from double to decimal(10,2)")
        .contains("./lakehouse refine --full-refresh --table orders");
    cli(spec, lake, "refine", "--full-refresh", "--table", "orders");
    assertThat(rows(lake.resolve("silver/orders"), "order_id", "amount", "typeof(amount)"))
        .containsExactly(
            "[o1,10.50,decimal(10,2)]",
            "[o2,4.50,decimal(10,2)]",
            "[o3,5.00,decimal(10,2)]",
            "[o4,-1.00,decimal(10,2)]");
    assertThat(cli(spec, lake, "quarantine", "list", "--table", "orders"))
        .startsWith("1 quarantined records of silver.orders:\n  initshop_orders/0@5 ");
    assertThat(cli(spec, lake, "check")).endsWith("Reconciliation holds.\n");
  }
}
