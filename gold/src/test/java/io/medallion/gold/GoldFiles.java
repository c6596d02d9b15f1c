package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

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
}
