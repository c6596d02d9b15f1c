package io.medallion.silver;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code silver.quarantine}: one table for every record a silver table rejected, with the rule, a
 * reason, the raw payload (UTF-8 text, or base64 when it is not text: see {@code raw_encoding}) and
 * the Kafka coordinates it came from.
 */
public final class QuarantineTable {
  public static final String SOURCE_TABLE = "source_table";
  public static final String RULE = "rule";
  public static final String REASON = "reason";
  public static final String RAW_VALUE = "raw_value";
  public static final String TOPIC = "topic";
  public static final String PARTITION = "partition";
  public static final String OFFSET = "offset";
  public static final String BATCH_ID = "batch_id";
  public static final String QUARANTINED_AT = "quarantined_at";
  public static final String RAW_ENCODING = "raw_encoding";

  /** The table's schema, in column order. */
  public static final StructType SCHEMA =
      new StructType()
          .add(SOURCE_TABLE, DataTypes.StringType, false)
          .add(RULE, DataTypes.StringType, false)
          .add(REASON, DataTypes.StringType, true)
          .add(RAW_VALUE, DataTypes.StringType, true)
          .add(TOPIC, DataTypes.StringType, false)
          .add(PARTITION, DataTypes.IntegerType, false)
          .add(OFFSET, DataTypes.LongType, false)
          .add(BATCH_ID, DataTypes.LongType, false)
          .add(QUARANTINED_AT, DataTypes.TimestampType, false)
          .add(RAW_ENCODING, DataTypes.StringType, true);

  private QuarantineTable() {}

  /** Where the table lives. */
  /**
   * The join condition of a quarantined row {@code t} of {@code table} and a Kafka record {@code s}
   * (columns topic, partition, offset).
   */
  static String sameRecord(String table) {
    return "t."
        + SOURCE_TABLE
        + " = '"
        + table
        + "' AND t.topic = s.topic AND t.partition = s.partition AND t.offset = s.offset";
  }

  public static String path(LakeLayout lake) {
    return lake.table(Layer.SILVER, Pipeline.QUARANTINE_TABLE);
  }

  /** Creates the table if it does not exist. */
  public static void create(SparkSession spark, LakeLayout lake) {
    DeltaTable.createIfNotExists(spark)
        .location(path(lake))
        .addColumns(SCHEMA)
        .comment("Records silver tables rejected, with the rule and reason; see raw_encoding.")
        .execute();
  }

  /** The whole table. */
  public static Dataset<Row> read(SparkSession spark, LakeLayout lake) {
    return spark.read().format("delta").load(path(lake));
  }
}
