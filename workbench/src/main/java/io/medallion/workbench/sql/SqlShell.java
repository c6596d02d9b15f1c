package io.medallion.workbench.sql;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeCatalog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The analysts' SQL shell over the lake's catalog: statements and the meta-commands {@code
 * \tables}, {@code \describe T} and {@code \q}. Read-only unless writes are allowed. Every query
 * reads the Delta tables' latest snapshot, so a query beside a running pipeline sees each table as
 * of one commit.
 */
public final class SqlShell {
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final LakeLayout lake;
  private final ResultFormat format;
  private final boolean allowWrites;
  private final int maxRows;
  private final PrintWriter out;
  private List<String> tables;

  public SqlShell(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      ResultFormat format,
      boolean allowWrites,
      int maxRows,
      PrintWriter out) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.lake = lake;
    this.format = format;
    this.allowWrites = allowWrites;
    this.maxRows = maxRows;
    this.out = out;
    this.tables = LakeCatalog.register(spark, pipeline, lake);
  }

  /** The tables the shell sees, as {@code layer.table}. */
  public List<String> tables() {
    return tables;
  }

  /**
   * Runs one statement or meta-command and prints its result.
   *
   * @throws MedallionException for a statement that cannot run, with what to do
   */
  public void execute(String input) {
    String text = input.strip();
    while (text.endsWith(";")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    if (text.isEmpty()) {
      return;
    }
    if (text.startsWith("\\")) {
      meta(text);
      return;
    }
    if (!allowWrites) {
      ReadOnlyGuard.check(spark, text);
    }
    Dataset<Row> result;
    List<Row> rows;
    try {
      result = spark.sql(text);
      rows = result.limit(maxRows + 1).collectAsList();
    } catch (Exception e) { // AnalysisException is checked in Java's eyes but not declared
      throw explain(e);
    }
    boolean truncated = rows.size() > maxRows;
    format.print(result.schema(), truncated ? rows.subList(0, maxRows) : rows, truncated, out);
    if (allowWrites) {
      tables = LakeCatalog.register(spark, pipeline, lake);
    }
  }

  /** Reads statements (ending with ';') and meta-commands from {@code in} until it ends. */
  public void run(BufferedReader in, boolean stopOnError) throws IOException {
    StringBuilder statement = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      if (statement.length() == 0 && line.strip().equals("\\q")) {
        return;
      }
      statement.append(line).append('\n');
      String text = statement.toString().strip();
      if (text.startsWith("\\") || text.endsWith(";")) {
        statement.setLength(0);
        if (!runReporting(text) && stopOnError) {
          throw new MedallionException("A statement failed; stopped.", "See the error above.");
        }
      }
    }
    if (!statement.toString().isBlank() && !runReporting(statement.toString()) && stopOnError) {
      throw new MedallionException("A statement failed; stopped.", "See the error above.");
    }
  }

  /** Runs a statement, printing an error instead of throwing; returns whether it worked. */
  public boolean runReporting(String text) {
    try {
      execute(text);
      return true;
    } catch (MedallionException e) {
      out.println("error: " + e.getMessage());
      out.flush();
      return false;
    }
  }

  private void meta(String text) {
    String[] parts = text.split("\\s+", 2);
    switch (parts[0].toLowerCase(Locale.ROOT)) {
      case "\\tables" -> {
        for (String t : tables) {
          out.println(t);
        }
        out.flush();
      }
      case "\\describe" -> {
        if (parts.length < 2) {
          throw new MedallionException(
              "\\describe needs a table.", "Write \\describe gold.trending_now.");
        }
        execute("DESCRIBE TABLE " + parts[1].strip());
      }
      default ->
          throw new MedallionException(
              "Unknown command " + parts[0] + ".",
              "Use \\tables, \\describe TABLE or \\q; anything else is SQL ending with ';'.");
    }
  }

  private MedallionException explain(Exception e) {
    if (e instanceof AnalysisException a && "TABLE_OR_VIEW_NOT_FOUND".equals(a.getCondition())) {
      String name = String.valueOf(a.getMessageParameters().get("relationName")).replace("`", "");
      String nearest = PipelineLoader.nearest(name, tables);
      return new MedallionException(
          "There is no table " + name + ".",
          (nearest == null ? "" : "Did you mean " + nearest + "? ")
              + "Tables: "
              + String.join(", ", tables)
              + " (\\tables lists them).");
    }
    String m = String.valueOf(e.getMessage()).strip();
    return new MedallionException(
        m.lines().findFirst().orElse(m), "Check the statement; \\tables and \\describe T help.", e);
  }
}
