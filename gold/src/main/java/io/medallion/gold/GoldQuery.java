package io.medallion.gold;

import io.medallion.core.spec.JavaClasses;
import io.medallion.core.spec.Pipeline.GoldTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A gold table's rows as its definition computes them: its query, or its Java class. */
final class GoldQuery {
  private GoldQuery() {}

  static Dataset<Row> rows(SparkSession spark, GoldTable table) {
    if (!table.isJava()) {
      return spark.sql(table.sql());
    }
    String where =
        table.specKey() + (table.specLine() > 0 ? " (line " + table.specLine() + ")" : "");
    return JavaClasses.instantiate(table.className(), GoldTransform.class, where).compute(spark);
  }
}
