package io.medallion.workbench.cli;

import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.localstack.LocalKafka;
import io.medallion.workbench.local.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse kafka start|stop|status}: the local single-node Kafka broker. */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = "Start, stop or inspect the local Kafka broker (KRaft, 127.0.0.1).",
    subcommands = {KafkaCommand.Start.class, KafkaCommand.Stop.class, KafkaCommand.Status.class})
public final class KafkaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "Name an action: start, stop or status.");
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start the broker in the background and create the pipeline's topics.")
  static final class Start implements java.util.concurrent.Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        description =
            "Client port (default: the previous port on this directory, else a free one).")
    int port;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Path dir = common.kafkaDir();
      Pipeline pipeline = common.pipeline();
      Optional<LocalKafka> running = LocalKafka.running(dir);
      LocalKafka broker;
      if (running.isPresent()) {
        broker = running.get();
        out.printf(
            "Kafka is already running at %s (pid %d, data %s)%n",
            broker.bootstrapServers(), broker.pid(), broker.dir());
      } else {
        broker = LocalKafka.start(dir, port, true);
        out.printf(
            "Kafka started at %s (pid %d, data %s)%n",
            broker.bootstrapServers(), broker.pid(), broker.dir());
      }
      List<String> created = Topics.ensure(broker.bootstrapServers(), pipeline);
      if (!created.isEmpty()) {
        out.println("Created topics: " + String.join(", ", created));
      }
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the broker.")
  static final class Stop implements java.util.concurrent.Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Optional<LocalKafka> running = LocalKafka.running(common.kafkaDir());
      if (running.isEmpty()) {
        out.println("No Kafka broker is running on " + common.kafkaDir());
        return 0;
      }
      running.get().stop();
      out.printf("Kafka stopped (pid %d)%n", running.get().pid());
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Say whether the broker runs; exit code 0 if it answers, 3 if not.")
  static final class Status implements java.util.concurrent.Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Optional<LocalKafka> running = LocalKafka.running(common.kafkaDir());
      if (running.isEmpty()) {
        out.println("stopped: no Kafka broker runs on " + common.kafkaDir());
        return 3;
      }
      LocalKafka broker = running.get();
      boolean answers = broker.answers();
      out.printf(
          "%s: %s (pid %d, data %s)%n",
          answers ? "running" : "not answering",
          broker.bootstrapServers(),
          broker.pid(),
          broker.dir());
      return answers ? 0 : 3;
    }
  }
}
