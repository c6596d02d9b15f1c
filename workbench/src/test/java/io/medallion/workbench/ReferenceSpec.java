package io.medallion.workbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The pipelines shipped in {@code pipelines/} (the reference first), copied for a test with topics
 * of its own on the shared broker.
 */
final class ReferenceSpec {
  private ReferenceSpec() {}

  private static final Path REFERENCE = Path.of("../pipelines/engagement/pipeline.yaml");
  private static final Path TELEMETRY = Path.of("../pipelines/telemetry/pipeline.yaml");

  /** Writes {@code dir/pipeline.yaml}: the reference spec with each topic named prefix + topic. */
  static Path copy(Path dir, String prefix) throws Exception {
    return write(dir, prefix, Files.readString(REFERENCE));
  }

  /**
   * Writes {@code dir/pipeline.yaml}: the telemetry pipeline with each topic named prefix + topic.
   */
  static Path telemetry(Path dir, String prefix) throws Exception {
    return write(dir, prefix, Files.readString(TELEMETRY));
  }

  /**
   * Like {@link #copy}, cut down to the plays flow: {@code bronze.plays}, {@code silver.plays} and
   * {@code gold.title_daily_engagement}, the reference's own definitions. Three queries instead of
   * twelve, so that fault tests can afford many runs of the whole pipeline.
   */
  static Path playsOnly(Path dir, String prefix) throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode spec = (ObjectNode) yaml.readTree(REFERENCE.toFile());
    ((ObjectNode) spec.get("sources")).retain("plays");
    ((ObjectNode) spec.get("bronze").get("tables")).retain("plays");
    ((ObjectNode) spec.get("silver").get("tables")).retain("plays");
    ((ObjectNode) spec.get("gold").get("tables")).retain("title_daily_engagement");
    ((ObjectNode) spec.get("maintenance").get("tables")).retain(Set.of("silver.plays"));
    return write(dir, prefix, yaml.writeValueAsString(spec));
  }

  /**
   * Like {@link #playsOnly}, with a fourth query: {@code gold.top_titles_hourly}, a streaming
   * ranking over one aggregation of the plays alone, kept as {@code gold.trending_now} is (its
   * aggregates merged in its checkpoint, its slices ranked again from them).
   */
  static Path playsOnlyWithRanking(Path dir, String prefix) throws Exception {
    Path spec = playsOnly(dir, prefix);
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode root = (ObjectNode) yaml.readTree(spec.toFile());
    ObjectNode ranking = ((ObjectNode) root.get("gold").get("tables")).putObject(TOP_TITLES);
    ranking.put("refresh", "streaming");
    ranking.put("slice", "event_date");
    ranking.put("watermark", "10m");
    ranking.put(
        "sql",
        """
        WITH counts AS (
          SELECT country, date_trunc('HOUR', event_time) AS window_start, event_date, title_id,
                 count(*) AS plays
          FROM silver.plays WHERE event_type = 'start'
          GROUP BY country, date_trunc('HOUR', event_time), event_date, title_id)
        SELECT * FROM (
          SELECT *, row_number() OVER (PARTITION BY country, window_start
                                       ORDER BY plays DESC, title_id) AS rank
          FROM counts)
        WHERE rank <= 3
        """);
    Files.writeString(spec, yaml.writeValueAsString(root));
    return spec;
  }

  /** The ranking {@link #playsOnlyWithRanking} adds. */
  static final String TOP_TITLES = "top_titles_hourly";

  private static Path write(Path dir, String prefix, String yaml) throws Exception {
    yaml =
        yaml.replaceAll(
            "(?m)^(\\s+)topic: \"?([\\w.-]+)\"?(\\s*(#.*)?)$", "$1topic: " + prefix + "$2$3");
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(spec, yaml);
    return spec;
  }
}
