package io.medallion.workbench.cli;

import io.medallion.workbench.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the workbench CLI in this JVM with exactly the given arguments, keeping out and err apart.
 */
final class CliRun {
  private CliRun() {}

  /**
   * What a command did.
   *
   * @param exit its exit code
   * @param out what it printed to standard output
   * @param err what it printed to standard error
   */
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }
}
