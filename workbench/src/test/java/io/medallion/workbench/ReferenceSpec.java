package io.medallion.workbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The reference pipeline spec, copied for a test with topics of its own on the shared broker. */
final class ReferenceSpec {
  private ReferenceSpec() {}

  private static final Path REFERENCE = Path.of("../pipelines/engagement/pipeline.yaml");

  /** Writes {@code dir/pipeline.yaml}: the reference spec with each topic named prefix + topic. */
  static Path copy(Path dir, String prefix) throws Exception {
    return write(dir, prefix, Files.readString(REFERENCE));
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

  private static Path write(Path dir, String prefix, String yaml) throws Exception {
    for (String topic : List.of("plays", "impressions", "titles")) {
      yaml =
          yaml.replaceAll("(?m)^(\\s+)topic: \"?" + topic + "\"?$", "$1topic: " + prefix + topic);
    }
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(spec, yaml);
    return spec;
  }
}
