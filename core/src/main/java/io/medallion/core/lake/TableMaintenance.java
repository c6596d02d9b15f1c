package io.medallion.core.lake;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import scala.Option;

/**
 * Compacts a Delta table's small files (OPTIMIZE, optionally Z-ordered) and deletes the files it no
 * longer uses once they are older than the retention (VACUUM), safely beside a running pipeline:
 * blind appends never conflict with a compaction, a conflicting MERGE is run again by its writer,
 * and a compaction that loses a race is run again here (bounded). VACUUM keeps every file younger
 * than the retention, which is at least 7 days, so a streaming reader that is behind, or a running
 * job, never loses a file it still has to read.
 */
public final class TableMaintenance {
  /** Delta's setting for the size OPTIMIZE compacts towards. */
  static final String MAX_FILE_SIZE = "spark.databricks.delta.optimize.maxFileSize";

  /** Delta's setting that records VACUUM in the table's history, with what it deleted. */
  static final String VACUUM_LOGGING = "spark.databricks.delta.vacuum.logging.enabled";

  /**
   * Spark's parallelism for listing files, which VACUUM's listing of the table's directory uses:
   * 10,000 tasks by default, which took 35 to 60 s for a table of 15 files on two cores (3 to 5 s
   * with 4). Unless set, maintenance lists with the session's default parallelism.
   */
  static final String LISTING_PARALLELISM =
      "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  /**
   * Delta's table property for auto compaction: after each commit that leaves enough small files in
   * a partition ({@code spark.databricks.delta.autoCompact.minNumFiles}, 50 by default), the writer
   * compacts them in a commit of its own ({@code OPTIMIZE} with {@code auto=true} in the history).
   */
  public static final String AUTO_COMPACT = "delta.autoOptimize.autoCompact";

  private TableMaintenance() {}

  /**
   * Gives an existing table the policy's auto compaction. A table that has it already is left alone
   * (no commit), so this costs one look at the table's metadata at each start of the job that
   * writes it. Call it before that job's streams start: the change of metadata would fail a
   * concurrent write to the table.
   *
   * @param policy the table's policy; null leaves the table as it is
   * @return whether the table's property was changed
   */
  public static boolean applyAutoCompaction(
      SparkSession spark, String path, MaintenancePolicy policy) {
    return policy != null && applyAutoCompaction(spark, path, policy.autoCompact());
  }

  /**
   * Gives an existing table auto compaction on or off, as {@link #applyAutoCompaction(SparkSession,
   * String, MaintenancePolicy)} does for a policy.
   *
   * @return whether the table's property was changed
   */
  public static boolean applyAutoCompaction(SparkSession spark, String path, boolean autoCompact) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return false;
    }
    String wanted = String.valueOf(autoCompact);
    String current =
        DeltaLog.forTable(spark, path)
            .update(false, Option.empty(), Option.empty())
            .metadata()
            .configuration()
            .get(AUTO_COMPACT)
            .getOrElse(() -> null);
    if (wanted.equals(current)) {
      return false;
    }
    spark.sql(
        "ALTER TABLE "
            + Sql.deltaPath(path)
            + " SET TBLPROPERTIES ("
            + Sql.literal(AUTO_COMPACT)
            + " = "
            + Sql.literal(wanted)
            + ")");
    return true;
  }

  /**
   * What maintenance did to one table, or would do with {@code --dry-run}.
   *
   * @param table the qualified name
   * @param exists whether the table exists (nothing is done to one that does not)
   * @param filesBefore data files before
   * @param filesAfter data files after (with a dry run, the same as before)
   * @param smallFiles files below the target size: what OPTIMIZE compacts
   * @param filesCompacted files OPTIMIZE replaced
   * @param filesWritten files OPTIMIZE wrote in their place
   * @param filesVacuumed unused files older than the retention that VACUUM deleted (with a dry run:
   *     would delete); -1 if Delta did not say
   */
  public record Outcome(
      String table,
      boolean exists,
      long filesBefore,
      long filesAfter,
      long smallFiles,
      long filesCompacted,
      long filesWritten,
      long filesVacuumed) {}

  /**
   * Maintains one table.
   *
   * @param table its qualified name, for messages
   * @param path its location
   * @param dryRun only count what would be done
   */
  public static Outcome maintain(
      SparkSession spark, String table, String path, MaintenancePolicy policy, boolean dryRun) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return new Outcome(table, false, 0, 0, 0, 0, 0, 0);
    }
    checkColumns(spark, table, path, policy.zorderBy());
    long before = files(spark, path);
    long small = smallFiles(spark, path, policy.targetFileBytes());
    String retain = "RETAIN " + policy.vacuumRetention().toHours() + " HOURS";
    Map<String, String> listing =
        spark.conf().contains(LISTING_PARALLELISM)
            ? Map.of()
            : Map.of(
                LISTING_PARALLELISM, String.valueOf(spark.sparkContext().defaultParallelism()));
    if (dryRun) {
      long vacuumable =
          withConf(
              spark,
              listing,
              () -> spark.sql("VACUUM " + Sql.deltaPath(path) + " " + retain + " DRY RUN").count());
      return new Outcome(table, true, before, before, small, 0, 0, vacuumable);
    }
    long[] compacted = new long[2];
    withConf(
        spark,
        Map.of(MAX_FILE_SIZE, String.valueOf(policy.targetFileBytes())),
        () -> {
          DeltaWriter.standard()
              .retryOnConflict(
                  table,
                  () -> {
                    String zorder =
                        policy.zorderBy().isEmpty()
                            ? ""
                            : " ZORDER BY (" + String.join(", ", quoted(policy.zorderBy())) + ")";
                    Row metrics =
                        spark.sql("OPTIMIZE " + Sql.deltaPath(path) + zorder).first().getStruct(1);
                    compacted[0] = metrics.getAs("numFilesRemoved");
                    compacted[1] = metrics.getAs("numFilesAdded");
                  });
          return null;
        });
    // One VACUUM, logged to the table's history so that it says how many files it deleted.
    Map<String, String> vacuum = new HashMap<>(listing);
    vacuum.put(VACUUM_LOGGING, "true");
    withConf(
        spark, vacuum, () -> spark.sql("VACUUM " + Sql.deltaPath(path) + " " + retain).collect());
    List<Row> vacuumEnd =
        DeltaTable.forPath(spark, path)
            .history(5)
            .where("operation = 'VACUUM END'")
            .select("operationMetrics")
            .limit(1)
            .collectAsList();
    long vacuumed =
        vacuumEnd.isEmpty() || vacuumEnd.get(0).getJavaMap(0).get("numDeletedFiles") == null
            ? -1
            : Long.parseLong(String.valueOf(vacuumEnd.get(0).getJavaMap(0).get("numDeletedFiles")));
    return new Outcome(
        table, true, before, files(spark, path), small, compacted[0], compacted[1], vacuumed);
  }

  /** Runs {@code action} with the given session settings, then puts them back as they were. */
  private static <T> T withConf(
      SparkSession spark, Map<String, String> settings, Supplier<T> action) {
    Map<String, String> previous = new HashMap<>();
    settings.forEach(
        (key, value) -> {
          if (spark.conf().contains(key)) {
            previous.put(key, spark.conf().get(key));
          }
          spark.conf().set(key, value);
        });
    try {
      return action.get();
    } finally {
      for (String key : settings.keySet()) {
        if (previous.containsKey(key)) {
          spark.conf().set(key, previous.get(key));
        } else {
          spark.conf().unset(key);
        }
      }
    }
  }

  private static long files(SparkSession spark, String path) {
    return spark.sql("DESCRIBE DETAIL " + Sql.deltaPath(path)).first().getAs("numFiles");
  }

  /** Files smaller than the target size, from the table's metadata. */
  private static long smallFiles(SparkSession spark, String path, long target) {
    return DeltaLog.forTable(spark, path)
        .update(false, Option.empty(), Option.empty())
        .allFiles()
        .where("size < " + target)
        .count();
  }

  private static void checkColumns(
      SparkSession spark, String table, String path, List<String> columns) {
    List<String> present =
        Arrays.asList(spark.read().format("delta").load(path).schema().fieldNames());
    for (String c : columns) {
      if (!present.contains(c)) {
        throw new MedallionException(
            "cannot Z-order " + table + " by " + c + ": it has no such column.",
            "In the spec's maintenance section, use columns of "
                + table
                + ": "
                + String.join(", ", present)
                + ".");
      }
    }
  }

  private static List<String> quoted(List<String> columns) {
    return Sql.identifiers(columns);
  }
}
