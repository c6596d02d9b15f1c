package io.medallion.workbench;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark Connect client program for {@link SqlServerIT}: runs one query against a server and
 * prints each row's fields joined by '|'. It runs in its own JVM, with the client's classpath only,
 * as a user's client would.
 */
public final class ConnectQuery {
  private ConnectQuery() {}

  public static void main(String[] args) throws Exception {
    SparkSession client = SparkSession.builder().remote(args[0]).getOrCreate();
    try {
      for (Row row : client.sql(args[1]).collectAsList()) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          line.append(i == 0 ? "" : "|").append(row.get(i));
        }
        System.out.println("ROW " + line);
      }
    } finally {
      client.close();
    }
  }
}
