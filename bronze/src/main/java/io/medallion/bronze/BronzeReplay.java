package io.medallion.bronze;

import static org.apache.spark.sql.functions.col;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline.BronzeTable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Re-reads a range of a topic from Kafka into its bronze table, adding only the records bronze does
 * not hold (bronze is keyed by topic, partition and offset), so a replay of a range bronze already
 * has adds nothing, and a second replay adds nothing more.
 *
 * <p>It reads as a batch, beside the live stream and without touching its checkpoint: it ends, per
 * partition, where the table ends when the replay starts, so the live stream and the replay never
 * land the same offsets. Records past that are the live stream's.
 */
public final class BronzeReplay {
  /** The {@code batch_id} of rows a replay landed. */
  public static final long REPLAY_BATCH_ID = -1;

  private BronzeReplay() {}

  /**
   * What a replay did.
   *
   * @param read records read from Kafka in the range
   * @param added records bronze did not have, now landed
   * @param ranges the range read per partition, {@code partition: [from, to)}
   */
  public record Outcome(long read, long added, Map<Integer, long[]> ranges) {}

  /**
   * Where a replay starts.
   *
   * @param offsets per partition, the first offset to read (partitions absent: not replayed)
   * @param timestamp or: the first record at or after this time, in every partition
   */
  public record From(Map<Integer, Long> offsets, Instant timestamp) {
    /** Parses {@code 0:100,1:250}. */
    public static From offsets(String text) {
      Map<Integer, Long> offsets = new TreeMap<>();
      for (String part : text.split(",")) {
        String[] pair = part.trim().split(":");
        try {
          if (pair.length != 2) {
            throw new NumberFormatException();
          }
          offsets.put(Integer.parseInt(pair[0].trim()), Long.parseLong(pair[1].trim()));
        } catch (NumberFormatException e) {
          throw new MedallionException(
              "--from-offsets '" + text + "' is not a list of PARTITION:OFFSET.",
              "Write it as 0:100,1:250 (the first offset to read, per partition).");
        }
      }
      return new From(offsets, null);
    }
  }

  /** Replays {@code from} up to where the table ends now. */
  public static Outcome replay(
      SparkSession spark,
      LakeLayout lake,
      BronzeTable table,
      From from,
      String bootstrapServers,
      Map<String, String> kafkaConf) {
    String topic = table.source().topic();
    String path = lake.table(Layer.BRONZE, table.name());
    Map<Integer, Long> end = BronzeIngestion.nextOffsets(spark, path, topic);
    if (end.isEmpty()) {
      throw new MedallionException(
          table.qualifiedName() + " holds no records yet, so there is nothing to replay into.",
          "Ingest first: ./lakehouse ingest --once; records past the table's end are the live"
              + " stream's to land.");
    }
    // Per partition, the first offset to read; with a timestamp, Kafka finds it (-1: unused).
    Map<Integer, Long> start = new TreeMap<>();
    if (from.timestamp() != null) {
      end.keySet().forEach(p -> start.put(p, -1L));
    } else {
      for (Map.Entry<Integer, Long> e : from.offsets().entrySet()) {
        if (!end.containsKey(e.getKey())) {
          throw new MedallionException(
              "partition "
                  + e.getKey()
                  + " of "
                  + topic
                  + " has no records in "
                  + table.qualifiedName()
                  + ", so its end is unknown.",
              "Replay the partitions bronze has: " + end.keySet() + ".");
        }
        if (e.getValue() < end.get(e.getKey())) {
          start.put(e.getKey(), e.getValue());
        }
      }
    }
    Map<Integer, long[]> ranges = new TreeMap<>();
    if (start.isEmpty()) {
      return new Outcome(0, 0, ranges);
    }
    Map<String, String> options = new HashMap<>();
    kafkaConf.forEach((k, v) -> options.put("kafka." + k, v));
    options.put("kafka.bootstrap.servers", bootstrapServers);
    options.put("includeHeaders", "true");
    options.put("failOnDataLoss", "true");
    options.put("assign", "{\"" + topic + "\":" + start.keySet() + "}");
    if (from.timestamp() != null) {
      options.put("startingTimestamp", String.valueOf(from.timestamp().toEpochMilli()));
      options.put("startingOffsetsByTimestampStrategy", "latest");
    } else {
      options.put("startingOffsets", BronzeIngestion.offsetsJson(topic, start));
    }
    Map<Integer, Long> stop = new TreeMap<>();
    start.keySet().forEach(p -> stop.put(p, end.get(p)));
    options.put("endingOffsets", BronzeIngestion.offsetsJson(topic, stop));
    Dataset<Row> kafka = spark.read().format("kafka").options(options).load();
    Dataset<Row> records = BronzeIngestion.asBronze(kafka, REPLAY_BATCH_ID).cache();
    try {
      long read = records.count();
      Dataset<Row> missing =
          records.join(
              spark
                  .read()
                  .format("delta")
                  .load(path)
                  .where(col(BronzeContract.TOPIC).equalTo(topic))
                  .select(BronzeContract.TOPIC, BronzeContract.PARTITION, BronzeContract.OFFSET),
              scala.jdk.javaapi.CollectionConverters.asScala(
                      java.util.List.of(
                          BronzeContract.TOPIC, BronzeContract.PARTITION, BronzeContract.OFFSET))
                  .toSeq(),
              "left_anti");
      long added = missing.count();
      if (added > 0) {
        missing.write().format("delta").mode("append").save(path);
      }
      for (Row r :
          records
              .groupBy(BronzeContract.PARTITION)
              .agg(
                  org.apache.spark.sql.functions.min(BronzeContract.OFFSET),
                  org.apache.spark.sql.functions.max(BronzeContract.OFFSET))
              .collectAsList()) {
        ranges.put(r.getInt(0), new long[] {r.getLong(1), r.getLong(2) + 1});
      }
      return new Outcome(read, added, ranges);
    } finally {
      records.unpersist();
    }
  }
}
