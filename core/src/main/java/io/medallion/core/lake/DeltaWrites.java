package io.medallion.core.lake;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Idempotent Delta writes for {@code foreachBatch}: each write carries a transaction id (an
 * application id and a version), and Delta skips a write whose version for that application id is
 * already committed to the table. A micro-batch replayed after a crash therefore writes nothing a
 * second time.
 */
public final class DeltaWrites {
  /** Spark sets this local property to the streaming query's id, which its checkpoint keeps. */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  private DeltaWrites() {}

  /**
   * The application id of a streaming writer: the writer's name and the id of the query running it,
   * so that a new checkpoint (a new query id) starts a new sequence of versions.
   *
   * @param spark the session {@code foreachBatch} hands the batch in
   * @param writer a name unique per writer of a table, such as {@code silver.plays}
   */
  public static String streamingAppId(SparkSession spark, String writer) {
    String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    if (queryId == null) {
      throw new IllegalStateException("no streaming query id while writing for " + writer);
    }
    return writer + ":" + queryId;
  }

  /** Appends {@code rows} to the Delta table at {@code path} unless (appId, version) is there. */
  public static void appendOnce(Dataset<Row> rows, String path, String appId, long version) {
    rows.write()
        .format("delta")
        .mode("append")
        .option("txnAppId", appId)
        .option("txnVersion", version)
        .save(path);
  }
}
