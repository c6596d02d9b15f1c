package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.testkit.TestSpark;
import io.medallion.workbench.bench.Benchmark;
import io.medallion.workbench.generate.EventGenerator;
import io.medallion.workbench.generate.GeneratedEvent;
import io.medallion.workbench.generate.GeneratorSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small run of {@code lakehouse bench}: the report's structure, and that every stage processed
 * exactly the rows the generator's seed implies. No timing is asserted.
 */
class BenchIT {
  private static final long EVENTS = 10_000;
  private static final long SEED = 7;
  private static final int E2E_RATE = 1_000;
  private static final int E2E_SECONDS = 3;

  @TempDir Path dir;

  /** What the benchmark's generator settings produce, counted per topic. */
  private static final class Expected {
    final Map<String, Long> records = new HashMap<>();
    final Map<String, Set<String>> validValues = new HashMap<>();

    Expected() {
      EventGenerator generator =
          new EventGenerator(
              new GeneratorSettings(
                  EVENTS, SEED, 0.01, 0.02, 0.02, Instant.now(), 0, 1000, 50_000));
      while (generator.hasNext()) {
        GeneratedEvent e = generator.next();
        records.merge(e.topic(), 1L, Long::sum);
        if (e.kind() == GeneratedEvent.Kind.VALID || e.kind() == GeneratedEvent.Kind.LATE) {
          validValues
              .computeIfAbsent(e.topic(), t -> new HashSet<>())
              .add(new String(e.value(), StandardCharsets.UTF_8));
        }
      }
    }

    long records(String topic) {
      return records.getOrDefault(topic, 0L);
    }

    long distinctValid(String topic) {
      return validValues.getOrDefault(topic, Set.of()).size();
    }
  }

  @Test
  void everyStageProcessesExactlyTheGeneratedRowsAndTheReportHasItsShape() throws Exception {
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
            "--events",
            String.valueOf(EVENTS),
            "--seed",
            String.valueOf(SEED),
            "--partitions",
            "2",
            "--repeat",
            "1",
            "--warmup",
            "0",
            "--e2e-rate",
            String.valueOf(E2E_RATE),
            "--e2e-seconds",
            String.valueOf(E2E_SECONDS),
            // The measured events meet a pipeline that has already taken the warm-up's to gold.
            "--e2e-warmup-seconds",
            "1",
            // The search's one rate is end_to_end's: it takes that round instead of a second one.
            "--e2e-search-rates",
            String.valueOf(E2E_RATE),
            "--out",
            out.toString());
    assertThat(exit).as(console.toString()).isZero();

    JsonNode report = new ObjectMapper().readTree(out.resolve("benchmark.json").toFile());
    List<String> names = new ArrayList<>();
    Map<String, JsonNode> stages = new HashMap<>();
    for (JsonNode stage : report.path("stages")) {
      names.add(stage.path("stage").asText());
      stages.put(stage.path("stage").asText(), stage);
      assertThat(stage.path("seconds").asDouble()).as(stage.toString()).isPositive();
      assertThat(stage.path("rows_per_s").isNumber()).as(stage.toString()).isTrue();
      assertThat(stage.path("peak_heap_bytes").asLong()).as(stage.toString()).isPositive();
      assertThat(stage.path("peak_rss_bytes").asLong()).as(stage.toString()).isPositive();
    }
    assertThat(names).isEqualTo(Benchmark.DEFAULT_STAGES);

    Expected expected = new Expected();
    String plays = EventGenerator.PLAYS;
    String impressions = EventGenerator.IMPRESSIONS;
    String titles = EventGenerator.TITLES;
    long all = expected.records(plays) + expected.records(impressions) + expected.records(titles);
    assertThat(all).isEqualTo(EVENTS);
    for (String stage : List.of("kafka_consumer", "spark_kafka_noop", "naive_bronze", "bronze")) {
      assertThat(stages.get(stage).path("rows").asLong()).as(stage).isEqualTo(EVENTS);
    }
    // Silver reads each table's topic: titles twice (the current table and its history).
    long silverRead =
        expected.records(plays) + expected.records(impressions) + 2 * expected.records(titles);
    assertThat(stages.get("naive_silver").path("rows").asLong()).isEqualTo(silverRead);
    assertThat(stages.get("silver").path("rows").asLong()).isEqualTo(silverRead);
    JsonNode written = stages.get("silver").path("written");
    assertThat(written.path("silver.plays").asLong()).isEqualTo(expected.distinctValid(plays));
    assertThat(written.path("silver.impressions").asLong())
        .isEqualTo(expected.distinctValid(impressions));
    // Gold aggregates every silver fact row, once.
    assertThat(stages.get("gold").path("rows").asLong())
        .isEqualTo(expected.distinctValid(plays) + expected.distinctValid(impressions));
    JsonNode naiveWritten = stages.get("naive_silver").path("written");
    assertThat(stages.get("naive_gold").path("rows").asLong())
        .isEqualTo(
            naiveWritten.path("silver.plays").asLong()
                + naiveWritten.path("silver.impressions").asLong());
    assertThat(stages.get("end_to_end").path("rows").asLong())
        .isEqualTo((long) E2E_RATE * E2E_SECONDS);
    assertThat(stages.get("end_to_end").path("followed_events").asLong()).isPositive();
    for (String p : List.of("freshness_p50_s", "freshness_p95_s", "freshness_p99_s")) {
      assertThat(stages.get("end_to_end").path(p).asDouble()).as(p).isPositive();
    }
    JsonNode e2e = stages.get("end_to_end");
    assertThat(e2e.path("offered_rate").asDouble()).isEqualTo(E2E_RATE);
    assertThat(e2e.path("warmup_seconds").asInt()).isEqualTo(1);
    assertThat(e2e.path("warmup_events").asLong()).isEqualTo(E2E_RATE);
    assertThat(e2e.path("sustained_rate").asLong()).isPositive();
    // Followed by polling: every valid and late play the end-to-end producer sent (seed + 1).
    assertThat(e2e.path("polled_events").asLong())
        .isEqualTo(validAndLatePlays(E2E_RATE * E2E_SECONDS, SEED + 1));
    for (String hop : List.of("ack_to_silver", "ack_to_gold")) {
      double p50 = e2e.path(hop + "_p50_s").asDouble();
      double p95 = e2e.path(hop + "_p95_s").asDouble();
      double p99 = e2e.path(hop + "_p99_s").asDouble();
      assertThat(p50).as(hop).isPositive().isLessThanOrEqualTo(p95);
      assertThat(p95).as(hop).isLessThanOrEqualTo(p99);
    }
    // A record is seen in gold no earlier than in silver.
    for (String p : List.of("_p50_s", "_p95_s", "_p99_s")) {
      assertThat(e2e.path("ack_to_gold" + p).asDouble())
          .isGreaterThanOrEqualTo(e2e.path("ack_to_silver" + p).asDouble());
    }
    JsonNode search = stages.get("rate_search");
    assertThat(search.path("rates")).hasSize(1);
    JsonNode tried = search.path("rates").get(0);
    assertThat(tried.path("offered_rate").asDouble()).isEqualTo(E2E_RATE);
    assertThat(tried.path("round").asText()).isEqualTo("end_to_end");
    double p95 = e2e.path("ack_to_gold_p95_s").asDouble();
    assertThat(tried.path("ack_to_gold_p95_s").asDouble()).isEqualTo(p95);
    assertThat(tried.path("met").asBoolean()).isEqualTo(p95 <= 10);
    if (p95 <= 10) {
      assertThat(search.path("max_rate_within_target").asDouble()).isEqualTo(E2E_RATE);
    } else {
      assertThat(search.path("max_rate_within_target").isNull()).isTrue();
    }

    assertThat(iterable(report.path("ratios").fieldNames()))
        .containsExactly(
            "bronze / spark_kafka_noop",
            "bronze / naive_bronze",
            "silver / naive_silver",
            "gold / naive_gold",
            "rate_search max rate within target / 50,000 events/s");
    assertThat(report.path("environment").path("method").asText()).contains("warm-up");
    String markdown = Files.readString(out.resolve("benchmark.md"));
    for (String stage : Benchmark.DEFAULT_STAGES) {
      assertThat(markdown).contains("| " + stage + " |");
      assertThat(console.toString()).contains("| " + stage + " |");
    }
  }

  /** The valid and late plays among what the end-to-end producer generates. */
  private static long validAndLatePlays(long events, long seed) {
    EventGenerator generator =
        new EventGenerator(
            new GeneratorSettings(
                events, seed, 0.01, 0.02, 0.02, Instant.now(), E2E_RATE, 1000, 50_000));
    long plays = 0;
    while (generator.hasNext()) {
      GeneratedEvent e = generator.next();
      boolean followed =
          e.kind() == GeneratedEvent.Kind.VALID || e.kind() == GeneratedEvent.Kind.LATE;
      if (followed && e.topic().equals(EventGenerator.PLAYS)) {
        plays++;
      }
    }
    return plays;
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
