package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.Source;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestLake;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.CheckpointDamage;
import io.medallion.testkit.faults.FaultFileSystem;
import io.medallion.testkit.faults.Oracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bronze under the faults of docs/reliability.md that one process can reproduce: topics that change
 * under it, damaged or lost checkpoints, a changed query, a failing disk, a huge record. After
 * each, the oracle: every acknowledged record in bronze exactly once, or a clear error.
 */
class BronzeFaultsIT {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path lakeDir;

  private LakeLayout lake() {
    return LakeLayout.of(lakeDir.toString());
  }

  private void runOnce(BronzeTable table) throws Exception {
    BronzeIngestionIT.runOnce(spark, lake(), List.of(table));
  }

  private void assertExactlyOnce(BronzeTable table, List<Coordinates> produced) {
    Oracle.bronzeExactlyOnce(BronzeIngestion.read(spark, lake(), table.name()), produced, produced);
    assertThat(BronzeIngestion.read(spark, lake(), table.name()).count())
        .isEqualTo(produced.size());
  }

  private Path checkpoint(BronzeTable table) {
    return Path.of(lake().checkpoint(Layer.BRONZE, table.name()));
  }

  @Test
  void partitionsAddedToATopicAreReadFromTheirFirstRecord() throws Exception {
    String topic = TestKafka.createTopic("growing", 1);
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 100));
    BronzeTable table = TestLake.pipeline(1_000, topic, 1).bronzeTables().get(0);
    runOnce(table);

    TestKafka.addPartitions(topic, 3);
    produced.addAll(TestKafka.produceNumbers(topic, 100, 300));
    assertThat(produced.stream().map(Coordinates::partition).distinct()).hasSize(3);
    runOnce(table);

    assertExactlyOnce(table, produced);
  }

  @Test
  void aTopicDeletedAndRecreatedStopsTheQueryWithTheDataLossExplanation() throws Exception {
    String topic = TestKafka.createTopic("recreated", 1);
    List<Coordinates> first = TestKafka.produceNumbers(topic, 0, 50);
    BronzeTable table = TestLake.pipeline(1_000, topic, 1).bronzeTables().get(0);
    runOnce(table);

    // The new topic's offsets start again at 0, below what the checkpoint read.
    TestKafka.recreateTopic(topic, 1);
    TestKafka.produceNumbers(topic, 0, 10);

    assertThatThrownBy(() -> runOnce(table))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining(table.qualifiedName() + " stopped: Kafka no longer has records")
        .hasMessageContaining("the topic was deleted and recreated")
        .hasMessageContaining("--allow-data-loss");
    assertExactlyOnce(table, first);
  }

  @Test
  void aTruncatedCheckpointFileStopsTheQueryNamingTheFileAndTheFix() throws Exception {
    String topic = TestKafka.createTopic("damaged", 1);
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 100));
    BronzeTable table = TestLake.pipeline(1_000, topic, 1).bronzeTables().get(0);
    runOnce(table);
    Path offsets = CheckpointDamage.newest(checkpoint(table), "offsets");
    CheckpointDamage.truncate(offsets, 20);

    assertThatThrownBy(() -> runOnce(table))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("the checkpoint file")
        .hasMessageContaining(offsets.getFileName().toString())
        .hasMessageContaining("is cut short")
        .hasMessageContaining("move the checkpoint aside and rerun");

    // The runbook's fix for bronze: move the checkpoint aside; bronze resumes from its table.
    Files.move(checkpoint(table), lakeDir.resolve("damaged-checkpoint"));
    produced.addAll(TestKafka.produceNumbers(topic, 100, 50));
    runOnce(table);
    assertExactlyOnce(table, produced);
  }

  @Test
  void aLostCheckpointResumesFromTheOffsetsTheTableHolds() throws Exception {
    String topic = TestKafka.createTopic("lost", 2);
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 200));
    BronzeTable table = TestLake.pipeline(1_000, topic, 2).bronzeTables().get(0);
    runOnce(table);

    CheckpointDamage.remove(checkpoint(table));
    produced.addAll(TestKafka.produceNumbers(topic, 200, 100));
    runOnce(table);

    assertExactlyOnce(table, produced);
  }

  @Test
  void aChangedTopicOnAnOldCheckpointIsRefusedBeforeAnythingIsRead() throws Exception {
    String topic = TestKafka.createTopic("before", 1);
    String other = TestKafka.createTopic("after", 1);
    List<Coordinates> produced = TestKafka.produceNumbers(topic, 0, 20);
    TestKafka.produceNumbers(other, 0, 20);
    BronzeTable table = TestLake.pipeline(1_000, topic, 1).bronzeTables().get(0);
    runOnce(table);

    Source source = table.source();
    BronzeTable changed =
        new BronzeTable(
            table.name(),
            new Source(source.name(), other, source.partitions(), source.format()),
            table.startingOffsets(),
            table.maxOffsetsPerTrigger(),
            table.failOnDataLoss(),
            table.triggerInterval(),
            table.maintenance(),
            table.onFailure());
    assertThatThrownBy(() -> runOnce(changed))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("the definition of " + table.qualifiedName() + " changed")
        .hasMessageContaining("topic: was " + topic + ", now " + other);
    assertExactlyOnce(table, produced);
  }

  @Test
  void aWriteThatFailsAsOnAFullDiskCommitsNothingAndTheRetryLandsEverythingOnce() throws Exception {
    String topic = TestKafka.createTopic("diskfull", 2);
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 100));
    BronzeTable table = TestLake.pipeline(1_000, topic, 2).bronzeTables().get(0);
    runOnce(table);
    long version = latestVersion(table);

    produced.addAll(TestKafka.produceNumbers(topic, 100, 100));
    FaultFileSystem.failCreates("/bronze/" + table.name() + "/");
    try {
      assertThatThrownBy(() -> runOnce(table)).hasStackTraceContaining(FaultFileSystem.DISK_FULL);
    } finally {
      FaultFileSystem.failCreates(null);
    }
    assertThat(latestVersion(table)).as("no commit of the failed batch").isEqualTo(version);
    assertThat(BronzeIngestion.read(spark, lake(), table.name()).count()).isEqualTo(100);

    runOnce(table);
    assertExactlyOnce(table, produced);
  }

  @Test
  void aRecordNearTheBrokersSizeLimitLandsWhole() throws Exception {
    String topic = TestKafka.createTopic("oversized", 1);
    byte[] big = new byte[900_000];
    java.util.Arrays.fill(big, (byte) 'x');
    List<Coordinates> produced =
        TestKafka.produce(
            topic,
            List.of(
                Message.of("a", "{\"n\":1}"),
                new Message(null, big, Map.of()),
                Message.of("b", "{\"n\":2}")));
    BronzeTable table = TestLake.pipeline(1_000, topic, 1).bronzeTables().get(0);
    runOnce(table);

    assertExactlyOnce(table, produced);
    assertThat(
            BronzeIngestion.read(spark, lake(), table.name())
                .where("offset = 1")
                .selectExpr("length(value)")
                .first()
                .getInt(0))
        .isEqualTo(900_000);
  }

  private long latestVersion(BronzeTable table) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + lake().table(Layer.BRONZE, table.name()) + "` LIMIT 1")
        .select("version")
        .first()
        .getLong(0);
  }
}
