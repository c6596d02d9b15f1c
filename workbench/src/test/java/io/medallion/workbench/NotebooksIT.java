package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestSpark;
import io.medallion.workbench.sql.ResultFormat;
import io.medallion.workbench.sql.SqlShell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code %%sql} cell of every notebook runs on a lake of generated data: those in notebooks/
 * on the reference pipeline, those in notebooks/telemetry/ on the telemetry pipeline.
 */
class NotebooksIT {
  @TempDir Path dir;

  @Test
  void everySqlCellOfEveryReferenceNotebookRuns() throws Exception {
    List<String> ran = runCells(ReferenceSpec.copy(dir, "nb-"), Path.of("../notebooks"));
    assertThat(ran).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void everySqlCellOfEveryTelemetryNotebookRuns() throws Exception {
    List<String> ran =
        runCells(ReferenceSpec.telemetry(dir, "nb-"), Path.of("../notebooks/telemetry"));
    assertThat(ran).hasSizeGreaterThanOrEqualTo(10);
  }

  /** Generates events into a fresh lake, runs the pipeline once, then every cell; what ran. */
  private List<String> runCells(Path spec, Path notebookDir) throws Exception {
    Path lakeDir = dir.resolve("lake");
    String[] common = {
      "--pipeline", spec.toString(),
      "--lake-root", lakeDir.toString(),
      "--bootstrap-servers", TestKafka.bootstrapServers(),
      "--conf", "spark.master=local[2]"
    };
    StringWriter log = new StringWriter();
    for (String[] command :
        List.of(
            new String[] {"generate", "--events", "3000", "--seed", "11", "--bad-fraction", "0.02"},
            new String[] {"run", "--once"})) {
      String[] args = Stream.concat(Stream.of(command), Stream.of(common)).toArray(String[]::new);
      int exit = Main.execute(new PrintWriter(log, true), new PrintWriter(log, true), args);
      assertThat(exit).as(log.toString()).isZero();
    }

    StringWriter results = new StringWriter();
    SqlShell shell =
        new SqlShell(
            TestSpark.get(),
            PipelineLoader.load(spec),
            LakeLayout.of(lakeDir.toString()),
            ResultFormat.CSV,
            false,
            50,
            new PrintWriter(results, true));
    List<Path> notebooks;
    try (var files = Files.list(notebookDir)) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks).hasSizeGreaterThanOrEqualTo(2);
    List<String> ran = new ArrayList<>();
    for (Path notebook : notebooks) {
      JsonNode cells = new ObjectMapper().readTree(notebook.toFile()).get("cells");
      for (int i = 0; i < cells.size(); i++) {
        JsonNode cell = cells.get(i);
        StringBuilder source = new StringBuilder();
        cell.get("source").forEach(line -> source.append(line.asText()));
        String text = source.toString();
        if (!cell.get("cell_type").asText().equals("code") || !text.startsWith("%%sql")) {
          continue;
        }
        String sql = text.substring("%%sql".length()).strip();
        int before = results.toString().length();
        try {
          shell.execute(sql);
        } catch (MedallionException e) {
          fail(notebook.getFileName() + " cell " + i + " fails: " + e.getMessage() + "\n" + sql);
        }
        String output = results.toString().substring(before);
        assertThat(output.lines().count())
            .as(notebook.getFileName() + " cell " + i + " returns rows:\n" + sql)
            .isGreaterThan(1);
        ran.add(notebook.getFileName() + "#" + i);
      }
    }
    return ran;
  }
}
