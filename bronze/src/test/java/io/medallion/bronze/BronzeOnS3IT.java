package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.CheckpointGuard;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spec.Pipeline;
import io.medallion.localstack.LocalS3;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestLake;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.Oracle;
import io.medallion.testkit.faults.TcpGate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bronze on {@code s3a://}, against a local S3-compatible server (S3Proxy). */
class BronzeOnS3IT {
  @TempDir static Path s3Dir;

  private static LocalS3 s3;

  @BeforeAll
  static void startS3() {
    String jar = System.getProperty("medallion.s3proxy.jar");
    assertThat(jar).as("the build copies S3Proxy's jar and names it here").isNotNull();
    s3 = LocalS3.start(Path.of(jar), s3Dir, "lake");
    SparkSession spark = TestSpark.get();
    s3.hadoopConf().forEach((k, v) -> spark.sparkContext().hadoopConfiguration().set(k, v));
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.stop();
    }
  }

  @Test
  void landsATopicOnS3ExactlyOnceAcrossTwoRuns() throws Exception {
    SparkSession spark = TestSpark.get();
    String topic = TestKafka.createTopic("s3plays", 2);
    Set<Coordinates> produced = new HashSet<>(TestKafka.produceNumbers(topic, 0, 800));
    Pipeline pipeline = TestLake.pipeline(300, topic, 2);
    LakeLayout lake = LakeLayout.of("s3a://lake/medallion");

    BronzeIngestionIT.runOnce(spark, lake, pipeline.bronzeTables());
    produced.addAll(TestKafka.produceNumbers(topic, 800, 200));
    BronzeIngestionIT.runOnce(spark, lake, pipeline.bronzeTables());

    List<Coordinates> landed =
        TestLake.rows(BronzeIngestion.read(spark, lake, TestLake.tableName(topic)));
    assertThat(landed).hasSize(1_000).doesNotHaveDuplicates();
    assertThat(new HashSet<>(landed)).isEqualTo(produced);
    org.apache.hadoop.fs.Path commits =
        new org.apache.hadoop.fs.Path(
            lake.checkpoint(Layer.BRONZE, TestLake.tableName(topic)) + "/commits");
    assertThat(
            commits.getFileSystem(spark.sparkContext().hadoopConfiguration()).listStatus(commits))
        .as("batches of at most 300: 300, 300, 200, then 200")
        .filteredOn(f -> f.getPath().getName().matches("\\d+"))
        .hasSize(4);
  }

  @Test
  void anUnreachableEndpointStopsTheJobWithAClearErrorAndTheRerunLandsEverythingOnce()
      throws Exception {
    // A bucket reached through a gate that the test shuts, with S3A's retries kept short.
    SparkSession spark = TestSpark.get();
    s3.createBucket("gated");
    try (TcpGate gate = TcpGate.to(java.net.URI.create(s3.endpoint()).getPort())) {
      var conf = spark.sparkContext().hadoopConfiguration();
      conf.set("fs.s3a.bucket.gated.endpoint", gate.endpoint());
      conf.set("fs.s3a.bucket.gated.retry.limit", "2");
      conf.set("fs.s3a.bucket.gated.retry.interval", "200ms");
      conf.set("fs.s3a.bucket.gated.attempts.maximum", "1");
      conf.set("fs.s3a.bucket.gated.connection.establish.timeout", "2s");
      String topic = TestKafka.createTopic("s3gated", 1);
      List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 100));
      Pipeline pipeline = TestLake.pipeline(1_000, topic, 1);
      LakeLayout lake = LakeLayout.of("s3a://gated/medallion");
      runOnce(spark, lake, pipeline);

      gate.shut();
      produced.addAll(TestKafka.produceNumbers(topic, 100, 100));
      assertThatThrownBy(() -> runOnce(spark, lake, pipeline))
          .isInstanceOf(MedallionException.class)
          .hasMessageContaining("the lake's storage did not answer")
          .hasMessageContaining("nothing partial was committed")
          .hasMessageContaining("rerun");

      gate.open();
      runOnce(spark, lake, pipeline);
      Oracle.bronzeExactlyOnce(
          BronzeIngestion.read(spark, lake, TestLake.tableName(topic)), produced, produced);
    }
  }

  @Test
  void aCheckpointLeasedByAnotherLiveJobIsRefusedAndAnExpiredLeaseIsTakenOver() throws Exception {
    SparkSession spark = TestSpark.get();
    String topic = TestKafka.createTopic("s3lease", 1);
    List<Coordinates> produced = new ArrayList<>(TestKafka.produceNumbers(topic, 0, 50));
    Pipeline pipeline = TestLake.pipeline(1_000, topic, 1);
    LakeLayout lake = LakeLayout.of("s3a://lake/leased");
    org.apache.hadoop.fs.Path lease =
        new org.apache.hadoop.fs.Path(
            lake.checkpoint(Layer.BRONZE, TestLake.tableName(topic)), CheckpointGuard.LEASE_FILE);
    var fs = lease.getFileSystem(spark.sparkContext().hadoopConfiguration());

    // Another machine's job renewed its lease 5 s ago: this job must not start.
    writeLease(fs, lease, "other-host:4242:x", System.currentTimeMillis() - 5_000);
    assertThatThrownBy(() -> runOnce(spark, lake, pipeline))
        .isInstanceOf(MedallionException.class)
        // 5 s, or a little more by the time the job reads it.
        .hasMessageMatching(
            "(?s)another job \\(other-host:4242:x, lease renewed (5|6|7|8|9) s ago\\).*")
        .hasMessageContaining("Stop the other job first");

    // Its lease ran out long ago (the job died): this one takes the checkpoint over.
    writeLease(fs, lease, "other-host:4242:x", System.currentTimeMillis() - 600_000);
    runOnce(spark, lake, pipeline);
    Oracle.bronzeExactlyOnce(
        BronzeIngestion.read(spark, lake, TestLake.tableName(topic)), produced, produced);
  }

  private static void writeLease(
      org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path file, String owner, long at)
      throws java.io.IOException {
    try (var out = fs.create(file, true)) {
      out.write(
          ("owner=" + owner + "\nrenewed=" + at + "\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static void runOnce(SparkSession spark, LakeLayout lake, Pipeline pipeline) {
    BronzeIngestion ingestion =
        new BronzeIngestion(spark, lake, IngestOptions.of(TestKafka.bootstrapServers(), true));
    StreamRunner.awaitAll(
        ingestion.startAll(pipeline.bronzeTables(), EventSink.NONE),
        () -> false,
        java.time.Duration.ofSeconds(30));
  }
}
