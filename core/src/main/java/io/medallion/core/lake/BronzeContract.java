package io.medallion.core.lake;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The bronze table contract, identical for every source: Kafka records exactly as delivered, with
 * their coordinates and when they were ingested. Bronze never parses and never drops a record;
 * later layers read bronze through these names only.
 */
public final class BronzeContract {
  public static final String TOPIC = "topic";
  public static final String PARTITION = "partition";
  public static final String OFFSET = "offset";
  public static final String KAFKA_TIMESTAMP = "kafka_timestamp";
  public static final String KEY = "key";
  public static final String VALUE = "value";
  public static final String HEADERS = "headers";
  public static final String INGESTED_AT = "ingested_at";
  public static final String INGEST_DATE = "ingest_date";
  public static final String BATCH_ID = "batch_id";

  /** Bronze tables are partitioned by this column (the UTC date of ingestion). */
  public static final String PARTITION_COLUMN = INGEST_DATE;

  /** The schema of every bronze table, in column order. */
  public static final StructType SCHEMA =
      new StructType()
          .add(TOPIC, DataTypes.StringType, false)
          .add(PARTITION, DataTypes.IntegerType, false)
          .add(OFFSET, DataTypes.LongType, false)
          .add(KAFKA_TIMESTAMP, DataTypes.TimestampType, true)
          .add(KEY, DataTypes.BinaryType, true)
          .add(VALUE, DataTypes.BinaryType, true)
          .add(
              HEADERS,
              DataTypes.createArrayType(
                  new StructType()
                      .add("key", DataTypes.StringType, true)
                      .add("value", DataTypes.BinaryType, true),
                  true),
              true)
          .add(INGESTED_AT, DataTypes.TimestampType, false)
          .add(INGEST_DATE, DataTypes.DateType, false)
          .add(BATCH_ID, DataTypes.LongType, false);

  private BronzeContract() {}
}
