package io.medallion.workbench;

import io.medallion.jobs.cli.LakehouseCommand;
import io.medallion.workbench.cli.BenchCommand;
import io.medallion.workbench.cli.DemoCommand;
import io.medallion.workbench.cli.GenerateCommand;
import io.medallion.workbench.cli.InitCommand;
import io.medallion.workbench.cli.KafkaCommand;
import io.medallion.workbench.cli.ServeCommand;
import io.medallion.workbench.cli.SqlCommand;
import io.medallion.workbench.cli.SqlServerCommand;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * The entry point of {@code ./lakehouse}: the cluster's commands, with the local broker as their
 * default Kafka, and the local workbench's own (kafka, generate, demo, sql, sql-server, serve,
 * bench).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int exit = execute(null, null, args);
    if (!LakehouseCommand.shuttingDown()) {
      System.exit(exit);
    }
  }

  /** Runs the CLI and returns its exit code; null writers mean the console. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** The whole command line of the workbench. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return LakehouseCommand.commandLine(
        new LocalBroker(),
        out,
        err,
        List.of(
            new KafkaCommand(),
            new GenerateCommand(),
            new ServeCommand(),
            new SqlCommand(),
            new SqlServerCommand(),
            new DemoCommand(),
            new BenchCommand(),
            new InitCommand()));
  }
}
