package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** What a gold table written in a test holds on disk and in its Delta history. */
final class GoldFiles {
  private GoldFiles() {}

  /** Each slice ({@code event_date}) of the table and the one data file that holds it. */
  static Map<String, String> perSlice(SparkSession spark, String path) {
    Map<String, String> files = new TreeMap<>();
    spark
        .read()
        .format("delta")
        .load(path)
        .selectExpr("CAST(event_date AS STRING)", "input_file_name()")
        .distinct()
        .collectAsList()
        .forEach(r -> assertThat(files.put(r.getString(0), r.getString(1))).isNull());
    return files;
  }

  /** How many versions the table has. */
  static long versions(SparkSession spark, String path) {
    return spark.sql("DESCRIBE HISTORY delta.`" + path + "`").count();
  }

  /** The newest commit's operation and operation metrics. */
  static Row lastCommit(SparkSession spark, String path) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + path + "` LIMIT 1")
        .select("operation", "operationMetrics")
        .first();
  }

  /**
   * Deletes the newest batch's entry in a query's checkpoint's commit log, as if the process died
   * after the batch wrote and before the checkpoint recorded it: the next run runs it again.
   *
   * @param checkpoint the query's checkpoint, as {@code LakeLayout.checkpoint} gives it
   * @return the deleted entry, which the replayed batch writes again
   */
  static Path forgetLastBatch(String checkpoint) throws IOException {
    Path commits = Path.of(checkpoint.replace("file:", ""), "commits");
    Path last;
    try (var files = Files.list(commits)) {
      last =
          files
              .filter(f -> f.getFileName().toString().matches("\\d+"))
              .max((a, b) -> Long.compare(number(a), number(b)))
              .orElseThrow();
    }
    Files.delete(last);
    Files.deleteIfExists(last.resolveSibling("." + last.getFileName() + ".crc"));
    return last;
  }

  private static long number(Path file) {
    return Long.parseLong(file.getFileName().toString());
  }
}
