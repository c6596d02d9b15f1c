package io.medallion.workbench.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.jobs.cli.OptionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lakehouse init DIR}: a new pipeline spec to start from. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Write DIR/pipeline.yaml: a documented pipeline with one source, one bronze, one silver and"
          + " one gold table, which validate accepts and run --once runs."
    })
public final class InitCommand implements Callable<Integer> {
  private static final String TEMPLATE = "/io/medallion/workbench/init/pipeline.yaml";

  @Parameters(index = "0", paramLabel = "DIR", description = "The directory to write to.")
  Path dir;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The pipeline's name (default: DIR's name, in lower case).")
  String name;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String pipelineName = name != null ? name : fromDirectory(dir);
    if (!pipelineName.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new OptionException(
          "'" + pipelineName + "' is not a pipeline name.",
          "Name it with --name: a lower-case letter, then letters, digits or _ (at most 63).");
    }
    Path file = dir.resolve("pipeline.yaml");
    if (Files.exists(file)) {
      throw new MedallionException(
          file + " exists already.", "Choose another directory, or edit the spec that is there.");
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(
          file,
          template().replace("${name}", pipelineName).replace("${spec}", file.toString()),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MedallionException(
          "Cannot write " + file + ": " + e.getMessage(), "Choose a directory you may write to.");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Wrote " + file + " (pipeline " + pipelineName + ").");
    out.println("Check it:  ./lakehouse validate --pipeline " + file);
    out.println(
        "Run it:    ./lakehouse kafka start --pipeline "
            + file
            + " && ./lakehouse run --once --pipeline "
            + file);
    out.flush();
    return 0;
  }

  /** DIR's last name in lower case, with anything but letters, digits and _ turned into _. */
  static String fromDirectory(Path dir) {
    Path last = dir.toAbsolutePath().normalize().getFileName();
    String text = last == null ? "" : last.toString().toLowerCase(Locale.ROOT);
    return text.replaceAll("[^a-z0-9_]", "_");
  }

  private static String template() {
    try (InputStream in = InitCommand.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("the init template is missing from the jar: " + TEMPLATE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
