package io.medallion.workbench.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic: the median round, the ratios of rows/s, and the goals. */
class BenchReportTest {

  private static BenchReport.Round round(long rows, double seconds, long heap) {
    return new BenchReport.Round(rows, seconds, heap, 2L << 30, Map.of());
  }

  @SuppressWarnings("unchecked")
  @Test
  void reportsTheMedianRoundAndRatiosOfRowsPerSecond() {
    Map<String, List<BenchReport.Round>> rounds = new LinkedHashMap<>();
    rounds.put(
        "spark_kafka_noop",
        List.of(round(1000, 2.0, 1L << 30), round(1000, 1.0, 1L << 30), round(1000, 4.0, 1)));
    rounds.put("naive_bronze", List.of(round(1000, 4.0, 1)));
    rounds.put("bronze", List.of(round(1000, 3.0, 3L << 29), round(1000, 2.5, 1)));
    rounds.put("silver", List.of());
    BenchReport report = BenchReport.of(rounds, Map.of("method", "test"));

    List<Map<String, Object>> stages = (List<Map<String, Object>>) report.tree().get("stages");
    assertThat(stages)
        .extracting(s -> s.get("stage"))
        .containsExactly("spark_kafka_noop", "naive_bronze", "bronze");
    Map<String, Object> noop = stages.get(0);
    assertThat(noop.get("seconds")).isEqualTo(2.0);
    assertThat(noop.get("rows_per_s")).isEqualTo(500L);
    assertThat(noop.get("rounds_seconds")).isEqualTo(List.of(2.0, 1.0, 4.0));
    assertThat(noop.get("peak_heap_bytes")).isEqualTo(1L << 30);
    // Of two rounds the faster is the median (the lower middle).
    assertThat(stages.get(2).get("seconds")).isEqualTo(2.5);

    assertThat((Map<String, Object>) report.tree().get("ratios"))
        .containsExactly(
            Map.entry("bronze / spark_kafka_noop", 0.8), Map.entry("bronze / naive_bronze", 1.6));
    List<Map<String, Object>> goals = (List<Map<String, Object>>) report.tree().get("goals");
    assertThat(goals)
        .extracting(g -> g.get("goal"), g -> g.get("met"))
        .startsWith(
            org.assertj.core.groups.Tuple.tuple("bronze / spark_kafka_noop >= 0.6", true),
            org.assertj.core.groups.Tuple.tuple("bronze / naive_bronze >= 1.5", true),
            org.assertj.core.groups.Tuple.tuple("silver / naive_silver >= 1", null));
    assertThat(goals.get(goals.size() - 1))
        .containsEntry("goal", "peak heap of any stage (GiB) <= 2")
        .containsEntry("value", 1.5)
        .containsEntry("met", true);
    assertThat(report.markdown())
        .contains("| spark_kafka_noop | 1,000 | 2.00 | 500 | 1,024 | 2,048 |")
        .contains("| silver / naive_silver >= 1 | not run | - |");
  }

  @SuppressWarnings("unchecked")
  @Test
  void reportsTheFileCountStagesAndTheirRatio() {
    Map<String, List<BenchReport.Round>> rounds = new LinkedHashMap<>();
    rounds.put(
        "files_baseline",
        List.of(
            new BenchReport.Round(
                1000,
                10.0,
                1,
                1,
                Map.of("files_total", 400L, "files", Map.of("bronze.plays", 400L)))));
    rounds.put(
        "files",
        List.of(
            new BenchReport.Round(
                1000,
                8.0,
                1,
                1,
                Map.of("files_total", 50L, "files", Map.of("bronze.plays", 50L)))));
    BenchReport report = BenchReport.of(rounds, Map.of("method", "test"));

    assertThat((Map<String, Object>) report.tree().get("ratios"))
        .containsExactly(Map.entry("files / files_baseline (data files)", 0.125));
    assertThat(report.markdown())
        .contains("files_baseline: 400 data files in all tables after 10 s ({bronze.plays=400})")
        .contains("files: 50 data files in all tables after 8 s ({bronze.plays=50})")
        .contains("| files / files_baseline (data files) | 0.125 |");
  }

  @SuppressWarnings("unchecked")
  @Test
  void reportsEachLayersBatchLatencyAtTheLargestTableSizeOverTheSmallest() {
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("1M", Map.of("bronze", 2.0, "silver", 10.0, "gold", 4.0));
    latency.put("10M", Map.of("bronze", 2.5, "silver", 40.0, "gold", 4.0));
    Map<String, List<BenchReport.Round>> rounds = new LinkedHashMap<>();
    rounds.put(
        "scale",
        List.of(new BenchReport.Round(60_000, 100.0, 1, 1, Map.of("batch_latency_s", latency))));
    BenchReport report = BenchReport.of(rounds, Map.of("method", "test"));

    assertThat((Map<String, Object>) report.tree().get("ratios"))
        .containsExactly(
            Map.entry("bronze batch latency 10M / 1M", 1.25),
            Map.entry("silver batch latency 10M / 1M", 4.0),
            Map.entry("gold batch latency 10M / 1M", 1.0));
  }

  @SuppressWarnings("unchecked")
  @Test
  void takesTheFreshnessGoalFromTheRateSearchWhenEndToEndOfferedAnotherRate() {
    Map<String, Object> e2e = new LinkedHashMap<>();
    e2e.put("offered_rate", 1_000.0);
    e2e.put("ack_to_gold_p95_s", 4.0);
    Map<String, Object> search = new LinkedHashMap<>();
    search.put(
        "rates",
        List.of(
            Map.of("offered_rate", 5_000.0, "ack_to_gold_p95_s", 8.5, "met", true),
            Map.of("offered_rate", 10_000.0, "ack_to_gold_p95_s", 12.25, "met", false)));
    search.put("max_rate_within_target", 5_000.0);
    Map<String, List<BenchReport.Round>> rounds = new LinkedHashMap<>();
    rounds.put("end_to_end", List.of(new BenchReport.Round(3_000, 6.0, 1, 1, e2e)));
    rounds.put("rate_search", List.of(new BenchReport.Round(20_000, 30.0, 1, 1, search)));
    BenchReport report = BenchReport.of(rounds, Map.of("method", "test"));

    assertThat((Map<String, Object>) report.tree().get("ratios"))
        .containsExactly(Map.entry("rate_search max rate within target / 50,000 events/s", 0.1));
    assertThat((List<Map<String, Object>>) report.tree().get("goals"))
        .filteredOn(g -> g.get("goal").toString().startsWith("ack_to_gold_p95_s"))
        .singleElement()
        .satisfies(
            g ->
                assertThat(g)
                    .containsEntry("goal", "ack_to_gold_p95_s at 10,000 events/s offered <= 10")
                    .containsEntry("value", 12.25)
                    .containsEntry("met", false));
    assertThat(report.markdown())
        .contains("rate_search: highest offered rate with p95 to gold within")
        .contains("5000.0 events/s");
  }

  @Test
  void namesTableSizesShortly() {
    assertThat(ScaleStage.label(1_000_000)).isEqualTo("1M");
    assertThat(ScaleStage.label(10_000_000)).isEqualTo("10M");
    assertThat(ScaleStage.label(20_000)).isEqualTo("20k");
    assertThat(ScaleStage.label(1_500_000)).isEqualTo("1500k");
    assertThat(ScaleStage.label(999)).isEqualTo("999");
  }
}
