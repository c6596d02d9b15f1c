package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lakehouse topics [--create]} against a real broker: the spec's topics, idempotently. */
class TopicsIT {
  @TempDir Path dir;

  @Test
  void createsTheMissingTopicsOnceWithTheSpecsPartitionsAndLeavesOthersAsTheyAre()
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String plays = "plays-" + suffix;
    String titles = "titles-" + suffix;
    // A topic that exists already, with more partitions than the spec says.
    String clicks = TestKafka.createTopic("clicks", 3);
    Path spec = dir.resolve("pipeline.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: topics",
            "sources:",
            "  plays: {topic: " + plays + ", partitions: 2}",
            "  titles: {topic: " + titles + ", partitions: 1}",
            "  clicks: {topic: " + clicks + ", partitions: 1}",
            "bronze:",
            "  tables:",
            "    plays: {source: plays}",
            "    titles: {source: titles}",
            "    clicks: {source: clicks}",
            ""));
    Path lake = dir.resolve("lake");

    Cli.Result check = Cli.run(spec, lake, "topics");
    assertThat(check.exit()).as(check.output()).isEqualTo(1);
    assertThat(check.output())
        .contains(plays + ": missing (the spec says 2 partitions)")
        .contains(titles + ": missing (the spec says 1 partition)")
        .contains(clicks + ": exists, 3 partitions (the spec says 1; left as it is")
        .contains("error: Kafka has no topic " + plays + ", " + titles + " of the pipeline.")
        .contains("lakehouse topics --create");

    Cli.Result create = Cli.run(spec, lake, "topics", "--create", "--replication-factor", "1");
    assertThat(create.exit()).as(create.output()).isZero();
    assertThat(create.output())
        .contains(plays + ": created, 2 partitions")
        .contains(titles + ": created, 1 partition")
        .contains(clicks + ": exists, 3 partitions");

    Cli.Result again = Cli.run(spec, lake, "topics", "--create");
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output())
        .contains(plays + ": exists, 2 partitions\n")
        .contains(titles + ": exists, 1 partition\n")
        .doesNotContain("created");

    try (Admin admin = TestKafka.admin()) {
      Map<String, TopicDescription> described =
          admin
              .describeTopics(List.of(plays, titles, clicks))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS);
      assertThat(described.get(plays).partitions()).hasSize(2);
      assertThat(described.get(titles).partitions()).hasSize(1);
      assertThat(described.get(clicks).partitions()).hasSize(3);
    }
  }
}
