package io.medallion.workbench.sql;

import io.medallion.core.error.MedallionException;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Refuses statements that would write or change the catalog, by what Spark's parser makes of them:
 * queries pass, and of the commands only those that read.
 */
final class ReadOnlyGuard {
  private static final Set<String> READING_COMMANDS =
      Set.of(
          "ShowTables",
          "ShowTablesExtended",
          "ShowNamespaces",
          "ShowViews",
          "ShowColumns",
          "ShowPartitions",
          "ShowTableProperties",
          "ShowCreateTable",
          "ShowFunctions",
          "ShowCatalogs",
          "DescribeRelation",
          "DescribeColumn",
          "DescribeNamespace",
          "DescribeFunction",
          "ExplainCommand",
          "SetCommand",
          "SetCatalogAndNamespace");

  private ReadOnlyGuard() {}

  /** Throws a clear error when {@code sql} is not read-only. */
  static void check(SparkSession spark, String sql) {
    LogicalPlan plan;
    try {
      plan = spark.sessionState().sqlParser().parsePlan(sql);
    } catch (Exception e) { // ParseException: checked in Java's eyes, not declared
      return; // Running it reports the syntax error with Spark's own message.
    }
    String kind = plan.getClass().getSimpleName();
    boolean writes = plan instanceof InsertIntoStatement || plan instanceof Command;
    if (writes && !READING_COMMANDS.contains(kind)) {
      throw new MedallionException(
          "The SQL shell is read-only, and this statement ("
              + kind
              + ") would write or change the catalog.",
          "Query with SELECT, SHOW or DESCRIBE; to write on purpose, start the shell with"
              + " --allow-writes.");
    }
  }
}
