package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.testkit.TestKafka;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.TestKafka.Message;
import io.medallion.testkit.TestLake;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.Oracle;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bronze against a real broker, real Spark and real Delta tables. */
class BronzeIngestionIT {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path lakeDir;

  @Test
  void landsExactlyTheProducedRecordsOfThreeTopicsInOneRun() throws Exception {
    // 1. Three topics, with keys, headers, null keys, empty values and binary junk.
    String plays = TestKafka.createTopic("plays", 2);
    String impressions = TestKafka.createTopic("impressions", 2);
    String titles = TestKafka.createTopic("titles", 1);
    List<Message> odd =
        List.of(
            new Message(null, "{\"no\":\"key\"}".getBytes(StandardCharsets.UTF_8), Map.of()),
            new Message("k".getBytes(StandardCharsets.UTF_8), new byte[0], Map.of()),
            new Message(
                "junk".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff, 0, (byte) 0x80, 7},
                Map.of("trace", new byte[] {1, 2, 3})),
            new Message("nothing".getBytes(StandardCharsets.UTF_8), null, Map.of()));
    Set<Coordinates> produced = new HashSet<>();
    produced.addAll(TestKafka.produceNumbers(plays, 0, 1_500));
    produced.addAll(TestKafka.produce(plays, odd));
    produced.addAll(TestKafka.produceNumbers(impressions, 0, 1_000));
    produced.addAll(TestKafka.produceNumbers(titles, 0, 300));

    // 2. One process ingests all three, in bounded batches.
    Pipeline pipeline = TestLake.pipeline(400, plays, 2, impressions, 2, titles, 1);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    runOnce(lake, pipeline.bronzeTables());

    // 3. Every record exactly once, bytes intact, in the contract's schema.
    List<Coordinates> landed = new ArrayList<>();
    for (String topic : List.of(plays, impressions, titles)) {
      landed.addAll(TestLake.rows(table(lake, topic)));
    }
    assertThat(landed).hasSize(produced.size()).doesNotHaveDuplicates();
    assertThat(new HashSet<>(landed)).isEqualTo(produced);

    Dataset<Row> playsTable = table(lake, plays);
    assertThat(playsTable.schema().fieldNames()).isEqualTo(BronzeContract.SCHEMA.fieldNames());
    assertThat(playsTable.schema().fields())
        .extracting(f -> f.dataType())
        .containsExactlyElementsOf(
            Arrays.stream(BronzeContract.SCHEMA.fields()).map(f -> f.dataType()).toList());
    Row junk = playsTable.where("key = CAST('junk' AS BINARY)").select("value", "headers").first();
    assertThat((byte[]) junk.get(0)).containsExactly(0xff, 0, 0x80, 7);
    assertThat(junk.getList(1)).hasSize(1);
    assertThat(playsTable.where("key IS NULL").count()).isEqualTo(1);
    assertThat(playsTable.where("value IS NULL").count()).isEqualTo(1);
    assertThat(playsTable.where("length(value) = 0").count()).isEqualTo(1);
    assertThat(playsTable.where("batch_id IS NULL OR ingested_at IS NULL").count()).isZero();
    assertThat(playsTable.select("batch_id").distinct().count())
        .as("1,504 records at 400 per batch")
        .isEqualTo(4);
    assertThat(
            spark
                .sql("DESCRIBE DETAIL delta.`" + lake.table(Layer.BRONZE, tableOf(plays)) + "`")
                .select("partitionColumns")
                .first()
                .getList(0))
        .containsExactly("ingest_date");
  }

  @Test
  void stopAndRestartInTheMiddleOfABacklogLosesAndDuplicatesNothing() throws Exception {
    // 1. A backlog of 6,000 records, read 300 per batch.
    String topic = TestKafka.createTopic("backlog", 2);
    Set<Coordinates> produced = new HashSet<>(TestKafka.produceNumbers(topic, 0, 6_000));
    Pipeline pipeline = TestLake.pipeline(300, topic, 2);
    BronzeTable table = pipeline.bronzeTables().get(0);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());

    // 2. A continuous query, stopped once some but not all of the backlog is in.
    BronzeIngestion continuous =
        new BronzeIngestion(spark, lake, IngestOptions.of(TestKafka.bootstrapServers(), false));
    StreamingQuery query = continuous.start(table);
    await().atMost(Duration.ofMinutes(2)).until(() -> committedRows(lake, table) >= 600);
    query.stop();
    long before = table(lake, topic).count();
    assertThat(before).isBetween(600L, 5_999L);

    // 3. More arrives while it is down; a restart picks up exactly where it stopped.
    produced.addAll(TestKafka.produceNumbers(topic, 6_000, 500));
    runOnce(lake, List.of(table));

    List<Coordinates> landed = TestLake.rows(table(lake, topic));
    assertThat(landed).hasSize(6_500).doesNotHaveDuplicates();
    assertThat(new HashSet<>(landed)).isEqualTo(produced);
    // A backlog is read in bounded micro-batches, never all at once.
    assertThat(
            table(lake, topic)
                .groupBy("batch_id")
                .count()
                .selectExpr("max(count)")
                .first()
                .getLong(0))
        .isLessThanOrEqualTo(300);
  }

  @Test
  void aBatchReplayedAfterItsDeltaCommitWritesNothingTwice() throws Exception {
    // 1. Ingest, then forget the last checkpoint commit, as a crash between the Delta commit and
    //    the checkpoint commit would.
    String topic = TestKafka.createTopic("replay", 1);
    Set<Coordinates> produced = new HashSet<>(TestKafka.produceNumbers(topic, 0, 1_000));
    Pipeline pipeline = TestLake.pipeline(250, topic, 1);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    runOnce(lake, pipeline.bronzeTables());
    File commits =
        Path.of(lake.checkpoint(Layer.BRONZE, pipeline.bronzeTables().get(0).name()), "commits")
            .toFile();
    File last =
        Arrays.stream(commits.listFiles((dir, name) -> name.matches("\\d+")))
            .max(Comparator.comparingLong(f -> Long.parseLong(f.getName())))
            .orElseThrow();
    assertThat(last.getName()).isEqualTo("3");
    Files.delete(last.toPath());
    Files.deleteIfExists(commits.toPath().resolve(".3.crc"));
    long versionBefore = latestVersion(lake, topic);

    // 2. The restarted query re-runs batch 3; Delta's transaction id makes it a no-op.
    runOnce(lake, pipeline.bronzeTables());

    List<Coordinates> landed = TestLake.rows(table(lake, topic));
    assertThat(landed).hasSize(1_000).doesNotHaveDuplicates();
    assertThat(new HashSet<>(landed)).isEqualTo(produced);
    assertThat(latestVersion(lake, topic)).isEqualTo(versionBefore);
    assertThat(last).exists();
  }

  @Test
  void expiredOffsetsStopTheQueryWithAnExplanation() throws Exception {
    // 1. Read the first 100 records, then 100 more arrive and 50 of them expire unread.
    String topic = TestKafka.createTopic("expiring", 1);
    TestKafka.produceNumbers(topic, 0, 100);
    Pipeline pipeline = TestLake.pipeline(1_000, topic, 1);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    runOnce(lake, pipeline.bronzeTables());
    TestKafka.produceNumbers(topic, 100, 100);
    try (var admin = TestKafka.admin()) {
      admin
          .deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }

    // 2. The next run refuses to skip them by default.
    assertThatThrownBy(() -> runOnce(lake, pipeline.bronzeTables()))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining(
            "bronze."
                + tableOf(topic)
                + " stopped: Kafka no longer has records this query has"
                + " not read yet")
        .hasMessageContaining("--allow-data-loss")
        .hasMessageContaining(lake.checkpoint(Layer.BRONZE, tableOf(topic)));
    assertThat(table(lake, topic).count()).isEqualTo(100);
  }

  @Test
  void autoCompactionKeepsAStreamedTableAtAFewFilesWithEveryRecordOnce() throws Exception {
    // 300 records in batches of 20: 15 commits of small files, compacted as they pile up (at 5
    // files here instead of Delta's 50, to see it in a short test).
    String topic = TestKafka.createTopic("compacted", 1);
    List<Coordinates> produced = TestKafka.produceNumbers(topic, 0, 300);
    String path = ingestWithAutoCompaction(topic, true);

    Dataset<Row> history = spark.sql("DESCRIBE HISTORY delta.`" + path + "`");
    assertThat(history.where("operation = 'WRITE'").count()).isEqualTo(15);
    assertThat(
            history.where("operation = 'OPTIMIZE' AND operationParameters.auto = 'true'").count())
        .isPositive();
    assertThat(files(path)).isLessThanOrEqualTo(5);
    Oracle.bronzeExactlyOnce(
        BronzeIngestion.read(spark, LakeLayout.of(lakeDir.toString()), tableOf(topic)),
        produced,
        produced);
  }

  @Test
  void aTableWhosePolicyTurnsAutoCompactionOffKeepsItsFilesUntilMaintain() throws Exception {
    String topic = TestKafka.createTopic("uncompacted", 1);
    TestKafka.produceNumbers(topic, 0, 300);
    String path = ingestWithAutoCompaction(topic, false);

    assertThat(
            spark
                .sql("SHOW TBLPROPERTIES delta.`" + path + "`")
                .where("key = '" + TableMaintenance.AUTO_COMPACT + "'")
                .first()
                .getString(1))
        .isEqualTo("false");
    Dataset<Row> history = spark.sql("DESCRIBE HISTORY delta.`" + path + "`");
    assertThat(history.where("operation = 'OPTIMIZE'").count()).isZero();
    assertThat(files(path)).isEqualTo(15);
  }

  /**
   * Lands a topic of 300 records in batches of 20 under a policy with or without auto compaction,
   * with compaction at 5 small files.
   *
   * @return the table's location
   */
  private String ingestWithAutoCompaction(String topic, boolean autoCompact) throws Exception {
    Pipeline pipeline = TestLake.pipeline(20, topic, 1);
    BronzeTable table = pipeline.bronzeTables().get(0);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    MaintenancePolicy policy =
        new MaintenancePolicy(128L << 20, List.of(), Duration.ofDays(7), autoCompact);
    String minFiles = "spark.databricks.delta.autoCompact.minNumFiles";
    spark.conf().set(minFiles, "5");
    try {
      BronzeIngestion ingestion =
          new BronzeIngestion(spark, lake, IngestOptions.of(TestKafka.bootstrapServers(), true));
      StreamRunner.awaitAll(
          ingestion.startAll(List.of(table.withMaintenance(policy)), EventSink.NONE),
          () -> false,
          Duration.ofSeconds(60));
    } finally {
      spark.conf().unset(minFiles);
    }
    return lake.table(Layer.BRONZE, table.name());
  }

  private long files(String path) {
    return spark.sql("DESCRIBE DETAIL delta.`" + path + "`").first().getAs("numFiles");
  }

  private void runOnce(LakeLayout lake, List<BronzeTable> tables) throws Exception {
    runOnce(spark, lake, tables);
  }

  static void runOnce(SparkSession spark, LakeLayout lake, List<BronzeTable> tables)
      throws Exception {
    BronzeIngestion ingestion =
        new BronzeIngestion(spark, lake, IngestOptions.of(TestKafka.bootstrapServers(), true));
    List<RunningQuery> queries = new ArrayList<>();
    for (BronzeTable t : tables) {
      queries.add(
          new RunningQuery(
              t.qualifiedName(), lake.checkpoint(Layer.BRONZE, t.name()), ingestion.start(t)));
    }
    StreamRunner.awaitAll(queries, () -> false, Duration.ofSeconds(30));
  }

  private Dataset<Row> table(LakeLayout lake, String topic) {
    return BronzeIngestion.read(spark, lake, tableOf(topic));
  }

  private static String tableOf(String topic) {
    return TestLake.tableName(topic);
  }

  private long committedRows(LakeLayout lake, BronzeTable table) {
    return BronzeIngestion.read(spark, lake, table.name()).count();
  }

  private long latestVersion(LakeLayout lake, String topic) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + lake.table(Layer.BRONZE, tableOf(topic)) + "`")
        .selectExpr("max(version)")
        .first()
        .getLong(0);
  }
}
