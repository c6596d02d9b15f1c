package io.medallion.jobs.cli;

import io.medallion.bronze.PipelineTopics;
import io.medallion.bronze.PipelineTopics.State;
import io.medallion.bronze.PipelineTopics.Topic;
import io.medallion.core.error.MedallionException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lakehouse topics [--create]}: the spec's source topics on the Kafka cluster. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = {
      "Show whether the pipeline's source topics exist on the Kafka cluster, with their partitions;"
          + " with --create, create the missing ones with the spec's partition count (a deploy"
          + " step: topics that exist are left as they are). Exits 1 while a topic is missing."
    })
final class TopicsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--create", description = "Create the topics that are missing.")
  boolean create;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      description = "Replication factor of a created topic (default: the cluster's).")
  Short replicationFactor;

  @Override
  public Integer call() {
    if (replicationFactor != null && replicationFactor < 1) {
      throw new OptionException(
          "--replication-factor " + replicationFactor + " is not a replication factor.",
          "Use 1 or more, at most the number of brokers (3 on the platform's MSK cluster), or"
              + " leave it out for the cluster's default.");
    }
    List<Topic> topics =
        PipelineTopics.reconcile(
            common.bootstrapServers(),
            common.kafkaConf(),
            common.pipeline(),
            create,
            Optional.empty(),
            Optional.ofNullable(replicationFactor));
    PrintWriter out = common.out();
    for (Topic t : topics) {
      out.println(describe(t));
    }
    out.flush();
    List<String> missing =
        topics.stream().filter(t -> t.state() == State.MISSING).map(Topic::name).toList();
    if (!missing.isEmpty()) {
      throw new MedallionException(
          "Kafka has no topic " + String.join(", ", missing) + " of the pipeline.",
          "Create them: lakehouse topics --create (with the same --bootstrap-servers and"
              + " --kafka-auth).");
    }
    return 0;
  }

  /** One line per topic, such as {@code plays: created, 2 partitions}. */
  static String describe(Topic t) {
    return switch (t.state()) {
      case MISSING -> t.name() + ": missing (the spec says " + count(t.specPartitions()) + ")";
      case CREATED -> t.name() + ": created, " + count(t.partitions());
      case EXISTS ->
          t.name()
              + ": exists, "
              + count(t.partitions())
              + (t.differsFromSpec()
                  ? " (the spec says "
                      + t.specPartitions()
                      + "; left as it is: more partitions move keys to other partitions)"
                  : "");
    };
  }

  private static String count(int partitions) {
    return partitions + (partitions == 1 ? " partition" : " partitions");
  }
}
