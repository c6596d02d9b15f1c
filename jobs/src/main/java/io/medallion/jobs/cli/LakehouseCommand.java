package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spark.StreamFailures;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lakehouse} command and its subcommands, with one place that turns errors into exit
 * codes.
 */
@Command(
    name = "lakehouse",
    mixinStandardHelpOptions = true,
    versionProvider = LakehouseCommand.Version.class,
    description = "Medallion: Kafka to bronze, silver and gold Delta tables on Apache Spark.",
    subcommands = {
      KafkaCommand.class,
      GenerateCommand.class,
      IngestCommand.class,
      RefineCommand.class,
      AggregateCommand.class,
      RunCommand.class,
      QuarantineCommand.class,
      CheckCommand.class,
      StatusCommand.class,
      MaintainCommand.class,
      ReplayCommand.class,
      BackfillCommand.class,
      ServeCommand.class,
      SqlCommand.class,
      SqlServerCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LakehouseCommand implements Runnable {
  /** Exit code for a failure at run time (bad spec, unreachable Kafka, a failed query). */
  public static final int EXIT_FAILURE = 1;

  /** Exit code for a command line that does not parse. */
  public static final int EXIT_USAGE = 2;

  private static volatile boolean shuttingDown;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Name a command.");
  }

  /** Runs the CLI and returns its exit code; never calls {@code System.exit}. */
  public static int execute(String... args) {
    return execute(null, null, args);
  }

  /** Runs the CLI with its output and errors going to the given writers (null: the console). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new LakehouseCommand());
    if (out != null) {
      cli.setOut(out);
    }
    if (err != null) {
      cli.setErr(err);
    }
    cli.setExecutionExceptionHandler(LakehouseCommand::handle);
    cli.setParameterExceptionHandler(LakehouseCommand::usage);
    return cli.execute(args);
  }

  /** Whether a signal asked the JVM to stop (then {@code System.exit} would block). */
  public static boolean shuttingDown() {
    return shuttingDown;
  }

  static void markShuttingDown() {
    shuttingDown = true;
  }

  private static int usage(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("error: " + e.getMessage());
    err.println(
        "Run '"
            + e.getCommandLine().getCommandSpec().qualifiedName()
            + " --help' for the options.");
    err.flush();
    return EXIT_USAGE;
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    boolean verbose =
        parseResult.hasMatchedOption("--verbose")
            || parseResult.subcommands().stream().anyMatch(r -> r.hasMatchedOption("--verbose"));
    MedallionException known = find(e);
    if (known != null) {
      err.println("error: " + known.getMessage());
    } else {
      err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      if (!verbose) {
        err.println(
            "  This looks like a bug or an unexpected environment; rerun with --verbose"
                + " for the stack trace.");
      }
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  private static MedallionException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MedallionException m) {
        return m;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return StreamFailures.unreachableStorage(e).orElse(null);
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LakehouseCommand.class.getPackage().getImplementationVersion();
      return new String[] {"Medallion " + (v == null ? "(development build)" : v)};
    }
  }
}
