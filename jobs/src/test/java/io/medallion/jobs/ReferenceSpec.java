package io.medallion.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The reference pipeline spec, copied for a test with topics of its own on the shared broker. */
final class ReferenceSpec {
  private ReferenceSpec() {}

  /** Writes {@code dir/pipeline.yaml}: the reference spec with each topic named prefix + topic. */
  static Path copy(Path dir, String prefix) throws Exception {
    String yaml = Files.readString(Path.of("../pipelines/engagement/pipeline.yaml"));
    for (String topic : List.of("plays", "impressions", "titles")) {
      yaml = yaml.replace("    topic: " + topic + "\n", "    topic: " + prefix + topic + "\n");
    }
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(spec, yaml);
    return spec;
  }
}
