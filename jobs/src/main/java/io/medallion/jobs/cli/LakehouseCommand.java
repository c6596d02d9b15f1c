package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spark.StreamFailures;
import io.medallion.jobs.run.OperationRun;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lakehouse} command with the subcommands that run on a cluster, and one place that
 * turns errors into exit codes. The local workbench adds its own subcommands to the same command
 * line.
 */
@Command(
    name = "lakehouse",
    mixinStandardHelpOptions = true,
    versionProvider = LakehouseCommand.Version.class,
    description = "Medallion: Kafka to bronze, silver and gold Delta tables on Apache Spark.",
    subcommands = {
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
      TopicsCommand.class,
      ValidateCommand.class
    })
public final class LakehouseCommand implements Runnable {
  /** Exit code for a failure at run time (bad spec, unreachable Kafka, a failed query). */
  public static final int EXIT_FAILURE = 1;

  /** Exit code for a command line that does not parse. */
  public static final int EXIT_USAGE = 2;

  private final BrokerDefault brokerDefault;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command as a cluster runs it: brokers are always named. */
  public LakehouseCommand() {
    this(BrokerDefault.NONE);
  }

  /**
   * The command with {@code brokerDefault} for commands run without {@code --bootstrap-servers}.
   */
  public LakehouseCommand(BrokerDefault brokerDefault) {
    this.brokerDefault = brokerDefault;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Name a command.");
  }

  /** Runs the cluster CLI and returns its exit code; never calls {@code System.exit}. */
  public static int execute(String... args) {
    return commandLine(BrokerDefault.NONE, null, null, List.of()).execute(args);
  }

  /**
   * The command line with its error handling, its output and errors going to the given writers
   * (null: the console): the cluster's commands, then {@code more} (the workbench's), then help.
   */
  public static CommandLine commandLine(
      BrokerDefault brokerDefault, PrintWriter out, PrintWriter err, List<Object> more) {
    CommandLine cli = new CommandLine(new LakehouseCommand(brokerDefault));
    more.forEach(cli::addSubcommand);
    cli.addSubcommand(new CommandLine.HelpCommand());
    if (out != null) {
      cli.setOut(out);
    }
    if (err != null) {
      cli.setErr(err);
    }
    cli.setExecutionExceptionHandler(LakehouseCommand::handle);
    cli.setParameterExceptionHandler(LakehouseCommand::usage);
    return cli;
  }

  /** Whether a signal asked the JVM to stop (then {@code System.exit} would block). */
  public static boolean shuttingDown() {
    return OperationRun.stopRequested();
  }

  /** The broker default of the command line that {@code command} belongs to. */
  static BrokerDefault brokerDefault(CommandLine.Model.CommandSpec command) {
    return command.root().userObject() instanceof LakehouseCommand root
        ? root.brokerDefault
        : BrokerDefault.NONE;
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
    if (known instanceof OptionException) {
      err.println("error: " + known.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
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
