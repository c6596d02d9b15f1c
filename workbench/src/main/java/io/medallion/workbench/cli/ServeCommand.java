package io.medallion.workbench.cli;

import io.medallion.core.spark.SparkSessions;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.workbench.serve.LiveView;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse serve}: the live view on 127.0.0.1, until Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a live view of the pipeline on 127.0.0.1: the pipeline as a graph, each table's"
          + " freshness, rows, quality and Kafka lag, charts of the gold tables, refreshed every"
          + " 5 s while the pipeline runs; a JSON API (/api/pipeline, /api/tables, /api/failures,"
          + " /api/gold/TABLE) and Prometheus metrics (/metrics). Runs until Ctrl-C."
    })
public final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "The port on 127.0.0.1 (default 8080; 0 picks a free one).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    try (LiveView view =
        LiveView.start(
            SparkSessions.getOrCreate("medallion-serve", common.sparkConf()),
            common.pipeline(),
            common.lake(),
            port,
            common::bootstrapServers,
            common.kafkaConf())) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Serving the live view of " + common.lake() + " at " + view.url());
      out.println("Stop with Ctrl-C.");
      out.flush();
      stopped.await();
    }
    return 0;
  }
}
