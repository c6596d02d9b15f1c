package io.medallion.gold;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A gold table computed in Java, for what SQL says badly. Name the class in the spec instead of a
 * query, with the tables it reads ({@code class: com.example.MyTable} and {@code sources:
 * [silver.plays]}), or pass it to the Java builder; it needs a public no-argument constructor.
 *
 * <p>It reads its sources by qualified name ({@code spark.table("silver.plays")}) and returns the
 * whole table as it should be now, like a query: the engine filters it to the slices a batch
 * touched for an incremental or streaming table, and writes it. It must be deterministic, so that a
 * replayed batch writes the same rows.
 */
public interface GoldTransform {
  /** The table's rows, computed from its sources. */
  Dataset<Row> compute(SparkSession spark);
}
