package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
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
  }
}
