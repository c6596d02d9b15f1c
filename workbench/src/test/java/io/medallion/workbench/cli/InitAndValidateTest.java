package io.medallion.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.workbench.cli.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lakehouse init} writes a spec that {@code lakehouse validate} accepts; validate reports a
 * broken transform and a broken gold query with the spec's file and line, writing nothing.
 */
class InitAndValidateTest {
  @TempDir Path dir;

  private static Result run(String... args) {
    return CliRun.run(args);
  }

  private Path init() {
    Result r = run("init", dir.resolve("shop").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    return dir.resolve("shop/pipeline.yaml");
  }

  private Result validate(Path spec) {
    return run(
        "validate",
        "--pipeline",
        spec.toString(),
        "--lake-root",
        dir.resolve("lake").toString(),
        "--conf",
        "spark.master=local[2]");
  }

  /** The 1-based line of the first line of {@code spec} that contains {@code text}. */
  private static int lineOf(Path spec, String text) throws IOException {
    List<String> lines = Files.readAllLines(spec);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError(text + " is not in " + spec);
  }

  @Test
  void initWritesASpecNamedAfterItsDirectoryThatValidateAcceptsWithItsGraph() {
    Result init = run("init", dir.resolve("shop").toString());
    Path spec = dir.resolve("shop/pipeline.yaml");

    assertThat(init.exit()).isZero();
    assertThat(init.out())
        .isEqualTo(
            "Wrote "
                + spec
                + " (pipeline shop).\n"
                + "Check it:  ./lakehouse validate --pipeline "
                + spec
                + "\n"
                + "Run it:    ./lakehouse kafka start --pipeline "
                + spec
                + " && ./lakehouse run --once --pipeline "
                + spec
                + "\n");

    Result r = validate(spec);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Pipeline shop ("
                + spec
                + ")\n\n"
                + "Graph (sources → bronze → silver → gold):\n"
                + "  kafka shop_orders → bronze.orders\n"
                + "  bronze.orders → silver.orders\n"
                + "  silver.orders → gold.daily_sales\n\n"
                + "Tables:\n"
                + "  silver.orders: append by order_id, 2 rules\n"
                + "  gold.daily_sales: incremental, merges each batch by group, 4 columns\n\n"
                + "Topics:\n"
                + "  not checked: no broker is named or running\n\n"
                + "Valid: 1 source; tables: 1 bronze, 1 silver, 1 gold.\n");
    assertThat(dir.resolve("lake")).as("a dry run writes nothing to the lake").doesNotExist();
  }

  @Test
  void aBrokenTransformIsReportedWithItsLineAndTheGoldTableReadingItIsNotAnalysed()
      throws IOException {
    Path spec = init();
    Files.writeString(
        spec, Files.readString(spec).replace("to_date(ordered_at)", "to_date(orderd_at)"));

    Result r = validate(spec);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "Tables:\n"
                + "  gold.daily_sales: not analysed, it reads silver.orders (see the problems"
                + " below)\n");
    assertThat(r.err())
        .startsWith(
            "error: "
                + spec
                + ":"
                + lineOf(spec, "to_date(orderd_at)")
                + " [silver.tables.orders.transform.sql]: in silver.orders:"
                + " [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter"
                + " with name `orderd_at` cannot be resolved.")
        .endsWith("\nInvalid: 1 problem.\n")
        .doesNotContain("\tat ");
  }

  @Test
  void aBrokenGoldQueryIsReportedWithItsLine() throws IOException {
    Path spec = init();
    Files.writeString(
        spec,
        Files.readString(spec)
            .replace("count(DISTINCT customer_id) AS customers", "count(DISTINCT buyer) AS b"));

    Result r = validate(spec);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("Tables:\n  silver.orders: append by order_id, 2 rules\n\n");
    assertThat(r.err())
        .startsWith(
            "error: "
                + spec
                + ":"
                + lineOf(spec, "      sql: |")
                + " [gold.tables.daily_sales.sql]: the query of gold.daily_sales does not run:"
                + " [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter"
                + " with name `buyer` cannot be resolved.")
        .endsWith("\nInvalid: 1 problem.\n");
  }

  @Test
  void initRefusesAnExistingSpecAndANameThatIsNotAnIdentifier() {
    init();

    Result again = run("init", dir.resolve("shop").toString());
    Result badName = run("init", dir.resolve("other").toString(), "--name", "My Shop");

    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo(
            "error: "
                + dir.resolve("shop/pipeline.yaml")
                + " exists already.\n  Fix: Choose another directory, or edit the spec that is"
                + " there.\n");
    assertThat(badName.exit()).isEqualTo(2);
    assertThat(badName.err())
        .isEqualTo(
            "error: 'My Shop' is not a pipeline name.\n  Fix: Name it with --name: a lower-case"
                + " letter, then letters, digits or _ (at most 63).\n");
    assertThat(dir.resolve("other")).doesNotExist();
  }
}
