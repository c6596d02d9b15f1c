package io.medallion.jobs.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What the Glue Data Catalog holds for one Delta table of the lake, in the form Athena reads
 * natively: an external table of type {@code DELTA} at its {@code s3://} location, with the Delta
 * schema's columns described (Athena takes the schema and the partitions from the transaction log;
 * the columns are for people and tools browsing the catalog).
 *
 * @param database the Glue database
 * @param name the table's name in it
 * @param location the table's {@code s3://} URI
 * @param columns the columns that are not partition columns, in schema order
 * @param partitionKeys the partition columns, in partitioning order
 */
public record GlueTable(
    String database,
    String name,
    String location,
    List<Column> columns,
    List<Column> partitionKeys) {
  /** The table type and parameters of a Delta table Athena reads natively. */
  public static final String TABLE_TYPE = "EXTERNAL_TABLE";

  /** Parameters of every registered table (Spark on EMR reads the provider). */
  public static final Map<String, String> PARAMETERS =
      Map.of("table_type", "DELTA", "EXTERNAL", "TRUE", "spark.sql.sources.provider", "delta");

  /** Glue's limit on a column comment. */
  private static final int MAX_COMMENT = 255;

  /**
   * A column as Glue describes it: the name in lower case (Glue stores it so), the Hive type name.
   */
  public record Column(String name, String type, String comment) {}

  /**
   * The entry of a Delta table.
   *
   * @param location the table's location in the lake ({@code s3a://} is written {@code s3://}, the
   *     scheme Athena reads)
   * @param schema the Delta table's schema
   * @param partitionColumns its partition columns
   */
  public static GlueTable of(
      String database,
      String name,
      String location,
      StructType schema,
      List<String> partitionColumns) {
    List<Column> columns = new ArrayList<>();
    Column[] keys = new Column[partitionColumns.size()];
    for (StructField field : schema.fields()) {
      Column column = column(field);
      int key = partitionColumns.indexOf(field.name());
      if (key >= 0) {
        keys[key] = column;
      } else {
        columns.add(column);
      }
    }
    return new GlueTable(
        database,
        name.toLowerCase(Locale.ROOT),
        athenaLocation(location),
        List.copyOf(columns),
        List.of(keys));
  }

  /** {@code s3a://bucket/path} as {@code s3://bucket/path}; other URIs as they are. */
  public static String athenaLocation(String location) {
    return location.startsWith("s3a://") ? "s3://" + location.substring(6) : location;
  }

  private static Column column(StructField field) {
    String comment = field.getComment().isDefined() ? field.getComment().get() : null;
    if (comment != null && comment.length() > MAX_COMMENT) {
      comment = comment.substring(0, MAX_COMMENT);
    }
    return new Column(
        field.name().toLowerCase(Locale.ROOT), hiveType(field.dataType().catalogString()), comment);
  }

  /**
   * Spark's catalog type name as Athena reads it: the same Hive names, except that Spark's
   * timestamp without time zone is Athena's {@code timestamp}.
   */
  static String hiveType(String sparkType) {
    return sparkType.replace("timestamp_ntz", "timestamp");
  }
}
