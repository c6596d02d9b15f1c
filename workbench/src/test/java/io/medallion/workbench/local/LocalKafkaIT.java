package io.medallion.workbench.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.spec.PipelineLoader;
import io.medallion.localstack.LocalKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local broker survives {@code kill -9} and comes back on the same data and port. */
class LocalKafkaIT {
  @TempDir Path dir;

  @Test
  void killedBrokerRestartsOnItsDataWithTheSamePort() throws Exception {
    LocalKafka broker = LocalKafka.start(dir, 0, false);
    try {
      // 1. The pipeline's topics, and 100 acknowledged records.
      Topics.ensure(
          broker.bootstrapServers(),
          PipelineLoader.load(Path.of("../pipelines/engagement/pipeline.yaml")));
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>("titles", "t" + i, "{}")).get(30, TimeUnit.SECONDS);
        }
      }
      assertThatThrownBy(() -> LocalKafka.start(dir, 0, false))
          .hasMessageContaining("a Kafka broker already runs on " + dir.toAbsolutePath());

      // 2. A crash, then a start on the same directory.
      int port = broker.port();
      broker.kill();
      assertThat(broker.isAlive()).isFalse();
      assertThat(LocalKafka.running(dir)).isEmpty();
      LocalKafka again = LocalKafka.start(dir, 0, false);
      broker = again;

      assertThat(again.port()).isEqualTo(port);
      try (Admin admin = LocalKafka.admin(again.bootstrapServers(), Duration.ofSeconds(30))) {
        TopicPartition titles = new TopicPartition("titles", 0);
        long end =
            admin
                .listOffsets(Map.of(titles, OffsetSpec.latest()))
                .partitionResult(titles)
                .get(30, TimeUnit.SECONDS)
                .offset();
        assertThat(end).isEqualTo(100);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .contains("plays", "impressions", "titles");
      }
      assertThat(LocalKafka.running(dir)).map(LocalKafka::pid).contains(again.pid());
    } finally {
      broker.stop();
    }
    assertThat(LocalKafka.running(dir)).isEmpty();
  }
}
