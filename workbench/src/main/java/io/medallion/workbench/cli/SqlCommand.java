package io.medallion.workbench.cli;

import io.medallion.core.spark.SparkSessions;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.jobs.cli.OptionException;
import io.medallion.workbench.sql.ResultFormat;
import io.medallion.workbench.sql.SqlShell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse sql}: query the lake's tables by name. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Query bronze, silver, gold and _system tables with Spark SQL: -e runs one statement;"
          + " without it, an interactive prompt (statements end with ';'; \\tables, \\describe T,"
          + " \\q; history in ~/.medallion_sql_history). Statements may also come on stdin.",
      "Read-only unless --allow-writes."
    })
public final class SqlCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = {"-e", "--execute"},
      paramLabel = "SQL",
      description = "Run this and exit.")
  String execute;

  @Option(
      names = "--format",
      paramLabel = "table|csv|json",
      defaultValue = "table",
      description = "Result format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Most rows printed per result (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Option(names = "--allow-writes", description = "Allow statements that write or change tables.")
  boolean allowWrites;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ResultFormat resultFormat;
    try {
      resultFormat = ResultFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new OptionException(
          "--format '" + format + "' is not a format.", "Use table, csv or json.");
    }
    if (maxRows < 1) {
      throw new OptionException("--max-rows must be at least 1.", "Pass a positive number.");
    }
    PrintWriter out = spec.commandLine().getOut();
    SqlShell shell =
        new SqlShell(
            SparkSessions.getOrCreate("medallion-sql", common.sparkConf()),
            common.pipeline(),
            common.lake(),
            resultFormat,
            allowWrites,
            maxRows,
            out);
    if (execute != null) {
      shell.execute(execute);
      return 0;
    }
    if (System.console() == null) {
      shell.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), true);
      return 0;
    }
    interactive(shell, out);
    return 0;
  }

  private static void interactive(SqlShell shell, PrintWriter out) throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .variable(
                  LineReader.HISTORY_FILE,
                  Path.of(System.getProperty("user.home"), ".medallion_sql_history"))
              .build();
      out.println(
          "Medallion SQL over "
              + shell.tables().size()
              + " tables. End statements with ';'. \\tables, \\describe T, \\q to quit.");
      out.flush();
      StringBuilder statement = new StringBuilder();
      while (true) {
        String line;
        try {
          line = reader.readLine(statement.length() == 0 ? "medallion> " : "        -> ");
        } catch (UserInterruptException e) {
          statement.setLength(0);
          continue;
        } catch (EndOfFileException e) {
          return;
        }
        if (statement.length() == 0 && line.strip().equals("\\q")) {
          return;
        }
        statement.append(line).append('\n');
        String text = statement.toString().strip();
        if (text.startsWith("\\") || text.endsWith(";")) {
          statement.setLength(0);
          shell.runReporting(text);
        }
      }
    }
  }
}
