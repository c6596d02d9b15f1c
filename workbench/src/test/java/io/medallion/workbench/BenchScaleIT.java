package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.testkit.TestSpark;
import io.medallion.workbench.generate.EventGenerator;
import io.medallion.workbench.generate.GeneratorSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small run of {@code lakehouse bench --stages scale}: the report's shape and ratio keys, the
 * tables filled to each size, and that each measured batch read its own events and none of the rows
 * the tables were filled with. No timing is asserted.
 */
class BenchScaleIT {
  private static final long SEED = 7;

  @TempDir Path dir;

  @Test
  void eachMeasuredBatchReadsOnlyItsOwnEventsWhateverTheTablesHold() throws Exception {
    TestSpark.get();
    Path out = dir.resolve("bench");
    StringWriter console = new StringWriter();
    int exit =
        Main.execute(
            new PrintWriter(console, true),
            new PrintWriter(console, true),
            "bench",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--conf",
            "spark.master=local[2]",
            "--seed",
            String.valueOf(SEED),
            "--partitions",
            "2",
            "--repeat",
            "1",
            "--stages",
            "scale",
            "--scale-rows",
            "6000,3000",
            "--out",
            out.toString());
    assertThat(exit).as(console.toString()).isZero();

    JsonNode report = new ObjectMapper().readTree(out.resolve("benchmark.json").toFile());
    assertThat(report.path("stages")).hasSize(1);
    JsonNode scale = report.path("stages").get(0);
    assertThat(scale.path("stage").asText()).isEqualTo("scale");
    assertThat(names(report.path("ratios")))
        .containsExactly(
            "bronze batch latency 6k / 3k",
            "silver batch latency 6k / 3k",
            "gold batch latency 6k / 3k");
    assertThat(scale.path("rows").asLong()).isEqualTo(2 * 10_000);
    // Sizes ascending whatever the order given.
    assertThat(names(scale.path("batch_latency_s"))).containsExactly("3k", "6k");
    for (String size : List.of("3k", "6k")) {
      long rows = size.equals("3k") ? 3_000 : 6_000;
      for (String table :
          List.of("bronze.plays", "silver.plays", "bronze.impressions", "silver.impressions")) {
        assertThat(scale.path("rows_held").path(size).path(table).asLong())
            .as(size + " " + table)
            .isGreaterThanOrEqualTo(rows);
      }
      // One first batch (seed + 1), then each size's measured batch with the next seed.
      long measuredSeed = SEED * 1_000 + (size.equals("3k") ? 2 : 3);
      JsonNode read = scale.path("rows_read").path(size);
      assertThat(read.path("bronze").asLong()).as(size).isEqualTo(10_000);
      assertThat(read.path("silver").asLong())
          .as(size + ": silver reads each table's topic, titles twice")
          .isEqualTo(10_000 + titles(measuredSeed));
      for (String layer : List.of("bronze", "silver", "gold")) {
        assertThat(scale.path("batch_latency_s").path(size).path(layer).asDouble())
            .as(size + " " + layer)
            .isPositive();
      }
    }
  }

  /** The title change records among the 10,000 events the stage generates with this seed. */
  private static long titles(long seed) {
    EventGenerator generator =
        new EventGenerator(
            new GeneratorSettings(10_000, seed, 0.01, 0.02, 0.02, Instant.now(), 0, 1000, 50_000));
    long titles = 0;
    while (generator.hasNext()) {
      if (generator.next().topic().equals(EventGenerator.TITLES)) {
        titles++;
      }
    }
    return titles;
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
