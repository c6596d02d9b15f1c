package io.medallion.workbench.generate;

import io.medallion.core.error.MedallionException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends generated events to Kafka with {@code acks=all} and idempotence on, optionally paced, and
 * counts what the broker acknowledged.
 */
public final class EventProducer {
  private EventProducer() {}

  /**
   * What a run sent.
   *
   * @param acknowledgedByTopic records the broker acknowledged, per topic
   * @param byKind records generated, per kind
   * @param failed sends the broker did not acknowledge
   * @param seconds how long the run took
   */
  public record Report(
      Map<String, Long> acknowledgedByTopic,
      Map<GeneratedEvent.Kind, Long> byKind,
      long failed,
      double seconds) {

    /** All acknowledged records. */
    public long acknowledged() {
      return acknowledgedByTopic.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Hears of every record the broker acknowledged (on the producer's I/O thread). */
  @FunctionalInterface
  public interface AckListener {
    void acknowledged(Ack ack);
  }

  /**
   * One record the broker acknowledged.
   *
   * @param topic the record's topic
   * @param partition its partition
   * @param offset its offset
   * @param sentAtMillis when it was handed to the producer, in epoch milliseconds
   * @param ackedAtMillis when the producer heard of the acknowledgement, in epoch milliseconds
   * @param kind what the generator made it as
   */
  public record Ack(
      String topic,
      int partition,
      long offset,
      long sentAtMillis,
      long ackedAtMillis,
      GeneratedEvent.Kind kind) {}

  /** Producer settings for exactly-once-friendly sends. */
  static Properties config(String bootstrapServers, Map<String, String> extra) {
    Properties p = new Properties();
    p.putAll(extra);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Generates and sends every event, waiting for all acknowledgements.
   *
   * @param bootstrapServers the Kafka cluster
   * @param clientConf extra producer settings (security)
   * @param settings what to generate; {@code rate > 0} paces the sends
   * @param topics maps the generator's topic names to the cluster's topics
   */
  public static Report run(
      String bootstrapServers,
      Map<String, String> clientConf,
      GeneratorSettings settings,
      Map<String, String> topics) {
    return run(bootstrapServers, clientConf, settings, topics, null);
  }

  /** Like {@link #run(String, Map, GeneratorSettings, Map)}, telling {@code acks} of each ack. */
  public static Report run(
      String bootstrapServers,
      Map<String, String> clientConf,
      GeneratorSettings settings,
      Map<String, String> topics,
      AckListener acks) {
    return run(bootstrapServers, clientConf, settings, new EventGenerator(settings), topics, acks);
  }

  /**
   * Sends what {@code generator} makes (it must make {@code settings.events()} records), waiting
   * for all acknowledgements.
   */
  public static Report run(
      String bootstrapServers,
      Map<String, String> clientConf,
      GeneratorSettings settings,
      EventSource generator,
      Map<String, String> topics,
      AckListener acks) {
    Map<String, LongAdder> acked = new ConcurrentHashMap<>();
    Map<GeneratedEvent.Kind, Long> kinds = new EnumMap<>(GeneratedEvent.Kind.class);
    LongAdder failed = new LongAdder();
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    long start = System.nanoTime();
    double nanosPerEvent = settings.rate() > 0 ? 1e9 / settings.rate() : 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config(bootstrapServers, clientConf))) {
      long sent = 0;
      while (generator.hasNext()) {
        GeneratedEvent event = generator.next();
        if (nanosPerEvent > 0) {
          long due = start + (long) (sent * nanosPerEvent);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        String topic = topics.getOrDefault(event.topic(), event.topic());
        kinds.merge(event.kind(), 1L, Long::sum);
        long sentAt = acks == null ? 0 : System.currentTimeMillis();
        producer.send(
            new ProducerRecord<>(
                topic, event.key().getBytes(StandardCharsets.UTF_8), event.value()),
            (metadata, error) -> {
              if (error == null) {
                acked.computeIfAbsent(topic, t -> new LongAdder()).increment();
                if (acks != null) {
                  acks.acknowledged(
                      new Ack(
                          topic,
                          metadata.partition(),
                          metadata.offset(),
                          sentAt,
                          System.currentTimeMillis(),
                          event.kind()));
                }
              } else {
                failed.increment();
                firstFailure.compareAndSet(null, error);
              }
            });
        sent++;
      }
      producer.flush();
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new MedallionException(
          "Producing to Kafka at " + bootstrapServers + " failed: " + e.getMessage(),
          "Check that the broker runs (./lakehouse kafka status) and the topics exist.",
          e);
    }
    if (firstFailure.get() != null && failed.sum() == settings.events()) {
      throw new MedallionException(
          "Kafka at "
              + bootstrapServers
              + " acknowledged none of "
              + settings.events()
              + " records: "
              + firstFailure.get().getMessage(),
          "Check that the broker runs (./lakehouse kafka status) and the topics exist.");
    }
    Map<String, Long> ackedByTopic = new TreeMap<>();
    acked.forEach((t, n) -> ackedByTopic.put(t, n.sum()));
    return new Report(
        ackedByTopic,
        kinds,
        failed.sum(),
        Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000.0);
  }
}
