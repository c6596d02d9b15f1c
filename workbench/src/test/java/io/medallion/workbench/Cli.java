package io.medallion.workbench;

import io.medallion.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code lakehouse} in this JVM (on the shared session) against the test broker. */
final class Cli {
  private Cli() {}

  /**
   * What a command did.
   *
   * @param exit its exit code
   * @param output what it printed, out and err together
   */
  record Result(int exit, String output) {}

  /** Runs {@code args} with the spec, the lake root, the test broker and local Spark. */
  static Result run(Path spec, Path lakeDir, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--pipeline",
            spec.toString(),
            "--lake-root",
            lakeDir.toString(),
            "--bootstrap-servers",
            TestKafka.bootstrapServers(),
            "--conf",
            "spark.master=local[2]"));
    StringWriter out = new StringWriter();
    int exit =
        Main.execute(
            new PrintWriter(out, true), new PrintWriter(out, true), all.toArray(String[]::new));
    return new Result(exit, out.toString());
  }
}
