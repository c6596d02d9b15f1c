package io.medallion.testkit;

import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Writes bronze tables directly, in the bronze contract's schema, so that silver tests control
 * every byte and coordinate without a broker. Each {@link #append} is one Delta commit, which a
 * silver query reads as one micro-batch.
 */
public final class TestBronze {
  /** The ingestion time of every row these helpers write. */
  public static final Instant INGESTED_AT = Instant.parse("2026-11-20T12:00:00Z");

  private final SparkSession spark;
  private final LakeLayout lake;
  private final String table;
  private final String topic;
  private long nextOffset;
  private long commits;

  public TestBronze(SparkSession spark, LakeLayout lake, String table, String topic) {
    this.spark = spark;
    this.lake = lake;
    this.table = table;
    this.topic = topic;
  }

  /** A UTF-8 value. */
  public static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** Appends records with the next offsets of partition 0, in one commit; null is a tombstone. */
  public TestBronze append(byte[]... values) {
    List<Row> rows = new ArrayList<>();
    for (byte[] value : values) {
      rows.add(
          RowFactory.create(
              topic,
              0,
              nextOffset++,
              Timestamp.from(INGESTED_AT),
              null,
              value,
              null,
              Timestamp.from(INGESTED_AT),
              Date.valueOf("2026-11-20"),
              commits));
    }
    commits++;
    spark
        .createDataFrame(rows, BronzeContract.SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .partitionBy(BronzeContract.PARTITION_COLUMN)
        .save(lake.table(Layer.BRONZE, table));
    return this;
  }

  /** Appends UTF-8 records. */
  public TestBronze appendText(String... values) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i] == null ? null : text(values[i]);
    }
    return append(bytes);
  }
}
