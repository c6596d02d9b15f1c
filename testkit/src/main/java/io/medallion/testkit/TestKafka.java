package io.medallion.testkit;

import io.medallion.localstack.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * One real Kafka broker per test JVM (a child JVM, so tests can kill it), with helpers to make
 * uniquely named topics and to produce records whose coordinates are known.
 */
public final class TestKafka {
  private static LocalKafka broker;

  private TestKafka() {}

  /** The shared broker, started on first use and stopped when the JVM exits. */
  public static synchronized LocalKafka broker() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("medallion-kafka");
        broker = LocalKafka.start(dir, 0, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestKafka::stopBroker));
    }
    return broker;
  }

  private static synchronized void stopBroker() {
    if (broker != null) {
      broker.stop();
    }
  }

  /**
   * Kills the shared broker as {@code kill -9} would; {@link #startBrokerAgain} brings it back on
   * the same log directory and port, so that clients reconnect to the same address.
   */
  public static synchronized void killBroker() {
    broker().kill();
  }

  /** Starts the shared broker again after {@link #killBroker}, on its log directory and port. */
  public static synchronized void startBrokerAgain() {
    LocalKafka killed = broker();
    broker = LocalKafka.start(killed.dir(), killed.port(), false);
  }

  /** Deletes the records of {@code topic}'s partition before {@code offset}, as retention would. */
  public static void expireRecords(String topic, int partition, long offset) {
    try (Admin admin = admin()) {
      admin
          .deleteRecords(
              Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot delete records of " + topic, e);
    }
  }

  /** Deletes {@code topic} and creates it again, empty, with {@code partitions} partitions. */
  public static void recreateTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      // Deletion finishes in the background; creating the name again fails until it has.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                admin
                    .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
                return true;
              });
    }
  }

  /** Raises {@code topic}'s partition count to {@code partitions}. */
  public static void addPartitions(String topic, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot add partitions to " + topic, e);
    }
  }

  /** {@code 127.0.0.1:<port>} of the shared broker. */
  public static String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** Creates a topic named {@code prefix-<random>} and returns its name. */
  public static String createTopic(String prefix, int partitions) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name, e);
    }
    return name;
  }

  /** An admin client for the shared broker. */
  public static Admin admin() {
    return LocalKafka.admin(bootstrapServers(), Duration.ofSeconds(30));
  }

  /**
   * A record to produce.
   *
   * @param key the key, or null
   * @param value the value, or null
   * @param headers headers to attach
   */
  public record Message(byte[] key, byte[] value, Map<String, byte[]> headers) {
    /** A text record without headers. */
    public static Message of(String key, String value) {
      return new Message(
          key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          value == null ? null : value.getBytes(StandardCharsets.UTF_8),
          Map.of());
    }
  }

  /**
   * Where a produced record landed.
   *
   * @param topic the topic
   * @param partition the partition
   * @param offset the offset
   */
  public record Coordinates(String topic, int partition, long offset) {}

  /** Produces {@code messages} with acks=all and idempotence, returning where each landed. */
  public static List<Coordinates> produce(String topic, List<Message> messages) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // One request in flight per partition: when a new partition's leader is not ready for the
    // first batch, the batches behind it would be refused as out of order, retried until they
    // expire (seen in BronzeIngestionIT); one at a time, the first batch's retry succeeds.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Message m : messages) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, m.key(), m.value());
        m.headers().forEach((k, v) -> record.headers().add(k, v));
        sends.add(producer.send(record));
      }
      producer.flush();
      List<Coordinates> landed = new ArrayList<>();
      for (Future<RecordMetadata> send : sends) {
        RecordMetadata md = send.get(60, TimeUnit.SECONDS);
        landed.add(new Coordinates(md.topic(), md.partition(), md.offset()));
      }
      return landed;
    } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("producing to " + topic + " failed", e);
    }
  }

  /** Produces {@code count} JSON records {@code {"n": i}} keyed by {@code i}. */
  public static List<Coordinates> produceNumbers(String topic, int from, int count) {
    List<Message> messages = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      messages.add(Message.of("k" + i, "{\"n\":" + i + "}"));
    }
    return produce(topic, messages);
  }
}
