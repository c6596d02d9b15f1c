package io.medallion.workbench.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's result: per stage the median round, the ratios between stages, the goals, and the
 * environment; written as {@code benchmark.json} and {@code benchmark.md}.
 */
public final class BenchReport {
  /** The file names in {@code --out}. */
  public static final String JSON_FILE = "benchmark.json";

  public static final String MARKDOWN_FILE = "benchmark.md";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long GIB = 1L << 30;

  /** The sustained rate end to end the platform aims at, in events/s. */
  private static final double TARGET_RATE = 50_000;

  /** The offered rate at which the p95 from acknowledgement to gold must stay within 10 s. */
  private static final double GOAL_OFFERED_RATE = 10_000;

  /** One measured round of a stage. */
  record Round(long rows, double seconds, long heap, long rss, Map<String, Object> detail) {}

  /** A ratio of two stages' rows/s: {@code numerator / denominator}. */
  private record Ratio(String numerator, String denominator) {
    String key() {
      return numerator + " / " + denominator;
    }
  }

  private static final List<Ratio> RATIOS =
      List.of(
          new Ratio("bronze", "spark_kafka_noop"),
          new Ratio("bronze", "naive_bronze"),
          new Ratio("silver", "naive_silver"),
          new Ratio("gold", "naive_gold"));

  private final Map<String, Object> tree;

  private BenchReport(Map<String, Object> tree) {
    this.tree = tree;
  }

  static BenchReport of(Map<String, List<Round>> rounds, Map<String, Object> environment) {
    List<Map<String, Object>> stages = new ArrayList<>();
    Map<String, Double> rate = new LinkedHashMap<>();
    long peakHeap = 0;
    for (Map.Entry<String, List<Round>> entry : rounds.entrySet()) {
      List<Round> measured = entry.getValue();
      if (measured.isEmpty()) {
        continue;
      }
      List<Round> sorted =
          measured.stream().sorted(Comparator.comparingDouble(Round::seconds)).toList();
      Round median = sorted.get((sorted.size() - 1) / 2);
      Map<String, Object> stage = new LinkedHashMap<>();
      stage.put("stage", entry.getKey());
      stage.put("rows", median.rows());
      stage.put("seconds", round(median.seconds()));
      double rowsPerS = median.rows() / median.seconds();
      stage.put("rows_per_s", Math.round(rowsPerS));
      stage.put("rounds_seconds", measured.stream().map(r -> round(r.seconds())).toList());
      stage.put("rounds_rows", measured.stream().map(Round::rows).toList());
      long heap = measured.stream().mapToLong(Round::heap).max().orElse(0);
      stage.put("peak_heap_bytes", heap);
      stage.put("peak_rss_bytes", measured.stream().mapToLong(Round::rss).max().orElse(-1));
      stage.putAll(median.detail());
      stages.add(stage);
      rate.put(entry.getKey(), rowsPerS);
      peakHeap = Math.max(peakHeap, heap);
    }
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (Ratio r : RATIOS) {
      if (rate.containsKey(r.numerator()) && rate.containsKey(r.denominator())) {
        ratios.put(r.key(), round(rate.get(r.numerator()) / rate.get(r.denominator())));
      }
    }
    Object files = fileCount(stages, "files");
    Object baseline = fileCount(stages, "files_baseline");
    if (files instanceof Long f && baseline instanceof Long b && b > 0) {
      ratios.put("files / files_baseline (data files)", round((double) f / b));
    }
    scaleRatios(stages, ratios);
    Map<String, Object> e2e = stage(stages, "end_to_end");
    Map<String, Object> search = stage(stages, "rate_search");
    if (!search.isEmpty()) {
      Object best = search.get("max_rate_within_target");
      ratios.put(
          "rate_search max rate within target / " + fmt(TARGET_RATE) + " events/s",
          best instanceof Number n ? round(n.doubleValue() / TARGET_RATE) : 0.0);
    }
    List<Map<String, Object>> goals = new ArrayList<>();
    goal(goals, "bronze / spark_kafka_noop", ">=", 0.6, ratios.get("bronze / spark_kafka_noop"));
    goal(goals, "bronze / naive_bronze", ">=", 1.5, ratios.get("bronze / naive_bronze"));
    goal(goals, "silver / naive_silver", ">=", 1.0, ratios.get("silver / naive_silver"));
    // Issue 18's goals: bronze at least as fast as the hand-written code, every layer at least
    // that, a micro-batch's cost flat as the tables grow, gold fresh within 10 s at 10,000/s.
    goal(goals, "bronze / naive_bronze", ">=", 1.0, ratios.get("bronze / naive_bronze"));
    goal(goals, "gold / naive_gold", ">=", 1.0, ratios.get("gold / naive_gold"));
    for (String layer : ScaleStage.LAYERS) {
      String key =
          ratios.keySet().stream()
              .filter(k -> k.startsWith(layer + " batch latency "))
              .findFirst()
              .orElse(layer + " batch latency 10M / 1M");
      goal(goals, key, "<=", 1.2, ratios.get(key));
    }
    goal(
        goals,
        "ack_to_gold_p95_s at " + fmt(GOAL_OFFERED_RATE) + " events/s offered",
        "<=",
        10,
        ackToGoldP95At(GOAL_OFFERED_RATE, e2e, search));
    goal(goals, "end_to_end rows_per_s", ">=", TARGET_RATE, e2e.get("rows_per_s"));
    goal(goals, "end_to_end freshness_p95_s", "<", 10, e2e.get("freshness_p95_s"));
    goal(goals, "peak heap of any stage (GiB)", "<=", 2, round((double) peakHeap / GIB));
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("stages", stages);
    tree.put("ratios", ratios);
    tree.put("goals", goals);
    tree.put("environment", environment);
    return new BenchReport(tree);
  }

  /**
   * Per layer, the median batch latency at the largest table size over the one at the smallest:
   * {@code "silver batch latency 10M / 1M"}. 1.0 means a batch costs the same however much the
   * tables hold.
   */
  @SuppressWarnings("unchecked")
  private static void scaleRatios(List<Map<String, Object>> stages, Map<String, Object> ratios) {
    Map<String, Map<String, Double>> latency =
        stages.stream()
            .filter(s -> "scale".equals(s.get("stage")))
            .map(s -> (Map<String, Map<String, Double>>) s.get("batch_latency_s"))
            .findFirst()
            .orElse(Map.of());
    if (latency.size() < 2) {
      return;
    }
    // Sizes in the order measured: ascending.
    List<String> sizes = List.copyOf(latency.keySet());
    String smallest = sizes.get(0);
    String largest = sizes.get(sizes.size() - 1);
    for (String layer : ScaleStage.LAYERS) {
      double small = latency.get(smallest).get(layer);
      double large = latency.get(largest).get(layer);
      if (small > 0) {
        ratios.put(layer + " batch latency " + largest + " / " + smallest, round(large / small));
      }
    }
  }

  /** A stage's entry in the report, or an empty map if it did not run. */
  private static Map<String, Object> stage(List<Map<String, Object>> stages, String name) {
    return stages.stream().filter(s -> name.equals(s.get("stage"))).findFirst().orElse(Map.of());
  }

  /**
   * The p95 from acknowledgement to gold at an offered rate: from {@code end_to_end} if it offered
   * that rate, else from the rate search's round at it, else null (not measured).
   */
  @SuppressWarnings("unchecked")
  private static Object ackToGoldP95At(
      double rate, Map<String, Object> e2e, Map<String, Object> search) {
    if (e2e.get("offered_rate") instanceof Number offered && offered.doubleValue() == rate) {
      return e2e.get("ack_to_gold_p95_s");
    }
    for (Map<String, Object> tried :
        (List<Map<String, Object>>) search.getOrDefault("rates", List.of())) {
      if (((Number) tried.get("offered_rate")).doubleValue() == rate) {
        return tried.get("ack_to_gold_p95_s");
      }
    }
    return null;
  }

  /** The data files a file-count stage left in all tables, or null if it did not run. */
  private static Object fileCount(List<Map<String, Object>> stages, String stage) {
    return stages.stream()
        .filter(s -> stage.equals(s.get("stage")))
        .map(s -> s.get("files_total"))
        .findFirst()
        .orElse(null);
  }

  private static void goal(
      List<Map<String, Object>> goals, String what, String op, double target, Object value) {
    Map<String, Object> goal = new LinkedHashMap<>();
    goal.put("goal", what + " " + op + " " + fmt(target));
    goal.put("value", value);
    Boolean met = null;
    if (value instanceof Number n) {
      met =
          op.equals(">=")
              ? n.doubleValue() >= target
              : op.equals("<") ? n.doubleValue() < target : n.doubleValue() <= target;
    }
    // null: the stages it needs were not run (--stages), so it is neither met nor missed.
    goal.put("met", met);
    goals.add(goal);
  }

  /** The report as JSON-ready maps and lists. */
  public Map<String, Object> tree() {
    return tree;
  }

  /** Writes {@code benchmark.json} and {@code benchmark.md} into {@code dir}. */
  void write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(JSON_FILE),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n",
          StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The report as Markdown tables: stages, ratios, goals. */
  @SuppressWarnings("unchecked")
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("| stage | rows | seconds | rows/s | peak heap MiB | peak RSS MiB |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    StringBuilder notes = new StringBuilder();
    for (Map<String, Object> s : (List<Map<String, Object>>) tree.get("stages")) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.2f | %,d | %,d | %,d |%n",
              s.get("stage"),
              (Long) s.get("rows"),
              (Double) s.get("seconds"),
              (Long) s.get("rows_per_s"),
              (Long) s.get("peak_heap_bytes") >> 20,
              Math.max(-1, (Long) s.get("peak_rss_bytes") >> 20)));
      if (s.get("files_total") != null) {
        notes.append(
            String.format(
                Locale.ROOT,
                "%n%s: %,d data files in all tables after %.0f s (%s)%n",
                s.get("stage"),
                (Long) s.get("files_total"),
                (Double) s.get("seconds"),
                s.get("files")));
      }
      if ("end_to_end".equals(s.get("stage"))) {
        notes.append(
            String.format(
                Locale.ROOT,
                "%nend_to_end freshness p50 %.2f s, p95 %.2f s, p99 %.2f s (%s)%n",
                s.get("freshness_p50_s"),
                s.get("freshness_p95_s"),
                s.get("freshness_p99_s"),
                s.get("followed")));
        notes.append(
            String.format(
                Locale.ROOT,
                "end_to_end at %s events/s offered, %s sustained: Kafka acknowledgement to"
                    + " silver p50 %.2f s, p95 %.2f s, p99 %.2f s; to gold p50 %.2f s,"
                    + " p95 %.2f s, p99 %.2f s (tables polled)%n",
                s.get("offered_rate"),
                s.get("sustained_rate"),
                s.get("ack_to_silver_p50_s"),
                s.get("ack_to_silver_p95_s"),
                s.get("ack_to_silver_p99_s"),
                s.get("ack_to_gold_p50_s"),
                s.get("ack_to_gold_p95_s"),
                s.get("ack_to_gold_p99_s")));
      }
      if ("rate_search".equals(s.get("stage"))) {
        notes.append(
            String.format(
                Locale.ROOT,
                "%nrate_search: highest offered rate with p95 to gold within %s s: %s (tried"
                    + " %s)%n",
                s.get("target_ack_to_gold_p95_s"),
                s.get("max_rate_within_target") == null
                    ? "none"
                    : s.get("max_rate_within_target") + " events/s",
                s.get("rates")));
      }
    }
    md.append(notes);
    md.append("\n| ratio | value |\n|---|---:|\n");
    ((Map<String, Object>) tree.get("ratios"))
        .forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    md.append("\n| goal | value | met |\n|---|---:|---|\n");
    for (Map<String, Object> g : (List<Map<String, Object>>) tree.get("goals")) {
      md.append("| ")
          .append(g.get("goal"))
          .append(" | ")
          .append(g.get("value") == null ? "not run" : g.get("value"))
          .append(" | ")
          .append(g.get("met") == null ? "-" : (Boolean) g.get("met") ? "yes" : "**no**")
          .append(" |\n");
    }
    Map<String, Object> env = (Map<String, Object>) tree.get("environment");
    md.append("\n").append(env.get("method")).append("\n");
    return md.toString();
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.valueOf(v);
  }
}
