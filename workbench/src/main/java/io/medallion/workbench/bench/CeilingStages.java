package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.STAGE_TIMEOUT;
import static io.medallion.workbench.bench.StageContext.await;
import static io.medallion.workbench.bench.StageContext.rows;
import static io.medallion.workbench.bench.StageContext.seconds;

import io.medallion.core.error.MedallionException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The ceilings: how fast the events can be read at all, by a bare Kafka consumer ({@code
 * kafka_consumer}) and by Spark's Kafka source writing nowhere ({@code spark_kafka_noop}). Bronze
 * reads through the same source, so it cannot beat the second; the report's {@code bronze /
 * spark_kafka_noop} says how close it comes.
 */
final class CeilingStages {
  private final StageContext context;
  private final String servers;
  private final Map<String, String> kafkaConf;
  private final Map<String, Long> acknowledged;

  CeilingStages(StageContext context) {
    this.context = context;
    this.servers = context.servers();
    this.kafkaConf = context.kafkaConf();
    this.acknowledged = context.acknowledged();
  }

  /** {@code kafka_consumer}: one consumer polls every partition from the beginning to its end. */
  Sample kafkaConsumer() {
    Properties p = new Properties();
    p.putAll(kafkaConf);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long start = System.nanoTime();
    long rows = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : acknowledged.keySet()) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          parts.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long expected = 0;
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(parts).entrySet()) {
        expected += end.getValue() - begin.get(end.getKey());
      }
      long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
      while (rows < expected) {
        rows += consumer.poll(Duration.ofMillis(500)).count();
        if (System.nanoTime() > deadline) {
          throw new MedallionException(
              "The Kafka consumer read " + rows + " of " + expected + " records in time.",
              "Check the local broker.");
        }
      }
    }
    return new Sample(rows, seconds(start), 0, 0, Map.of());
  }

  /** {@code spark_kafka_noop}: Spark's Kafka source, once over everything, into the noop sink. */
  Sample sparkKafkaNoop(Path dir) throws Exception {
    long start = System.nanoTime();
    StreamingQuery q =
        context
            .kafkaStream()
            .writeStream()
            .format("noop")
            .queryName("bench_spark_kafka_noop")
            .option("checkpointLocation", dir.resolve("noop-checkpoint").toString())
            .trigger(Trigger.AvailableNow())
            .start();
    await(q);
    return new Sample(rows(q), seconds(start), 0, 0, Map.of());
  }
}
