package io.medallion.core.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spark.SideBySide;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * Idempotent appends: a version of a transaction id is written once, whether the id's versions are
 * read from the table's checksum or from its reconstructed state. (Here rather than in core: core's
 * tests run without Spark.)
 */
class DeltaWriterTest {
  private static final String APP = "silver.plays:query-1";

  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private Dataset<Row> rows(int first, int count) {
    return spark.range(first, first + count).toDF("n");
  }

  private String table() {
    return dir.resolve("table").toString();
  }

  private long count() {
    return spark.read().format("delta").load(table()).count();
  }

  private Snapshot snapshot() {
    return DeltaLog.forTable(spark, table()).update(false, Option.empty(), Option.empty());
  }

  @Test
  void eachVersionOfAnIdIsAppendedOnceAndItsIdCommitted() {
    delta.appendOnce(rows(0, 3), table(), APP, 0); // creates the table
    delta.appendOnce(rows(3, 2), table(), APP, 1);
    delta.appendOnce(rows(3, 2), table(), APP, 1); // a replay
    delta.appendOnce(rows(0, 3), table(), APP, 0); // an older replay
    delta.appendOnce(rows(5, 4), table(), "silver.impressions:query-2", 1); // another writer

    assertThat(count()).isEqualTo(9);
    // Delta's own reading of the ids (its reconstructed state) agrees.
    assertThat(snapshot().transactions().get(APP).get()).isEqualTo(1L);
    assertThat(snapshot().transactions().get("silver.impressions:query-2").get()).isEqualTo(1L);
    List<Row> writes =
        spark
            .sql("DESCRIBE HISTORY delta.`" + table() + "`")
            .where("operation = 'WRITE'")
            .collectAsList();
    assertThat(writes).hasSize(3);
  }

  @Test
  void theCommittedVersionsAreReadFromTheChecksumWithoutReconstructingTheTablesState() {
    delta.appendOnce(rows(0, 3), table(), APP, 0);
    delta.appendOnce(rows(3, 2), table(), APP, 1);

    Snapshot before = snapshot();
    assertThat(before.checksumOpt().get().setTransactions().isDefined()).isTrue();
    delta.appendOnce(rows(3, 2), table(), APP, 1); // a replay, skipped
    delta.appendOnce(rows(5, 1), table(), APP, 2);

    assertThat(before._computedStateTriggered()).isFalse();
    assertThat(count()).isEqualTo(6);
  }

  @Test
  void withoutAChecksumTheCommittedVersionsComeFromTheTablesState() throws IOException {
    delta.appendOnce(rows(0, 3), table(), APP, 0);
    delta.appendOnce(rows(3, 2), table(), APP, 1);
    try (Stream<Path> log = Files.list(dir.resolve("table/_delta_log"))) {
      for (Path crc : log.filter(p -> p.toString().endsWith(".crc")).toList()) {
        Files.delete(crc);
      }
    }
    DeltaLog.clearCache();

    delta.appendOnce(rows(3, 2), table(), APP, 1); // a replay, skipped
    delta.appendOnce(rows(5, 1), table(), APP, 2);

    assertThat(count()).isEqualTo(6);
    assertThat(snapshot().transactions().get(APP).get()).isEqualTo(2L);
  }

  @Test
  void theIdReadCountsForConflictsWhereverItWasReadFrom() {
    delta.appendOnce(rows(0, 3), table(), APP, 0);
    OptimisticTransaction txn = DeltaLog.forTable(spark, table()).startTransaction();

    assertThat(TransactionalAppend.committedVersion(txn, APP)).isZero();
    assertThat(TransactionalAppend.committedVersion(txn, "gold.other:query-3")).isEqualTo(-1);
    assertThat(txn.readTxn().contains(APP)).isTrue();
    assertThat(txn.readTxn().contains("gold.other:query-3")).isTrue();
  }

  private static final StructType RECORDS =
      new StructType()
          .add("table", DataTypes.StringType, false)
          .add("rows", DataTypes.LongType, false)
          .add("recorded_at", DataTypes.TimestampType, false)
          .add("day", DataTypes.DateType, false);

  private void createRecords(String... properties) {
    var builder =
        DeltaTable.createIfNotExists(spark)
            .location(table())
            .addColumns(RECORDS)
            .partitionedBy("day");
    for (int i = 0; i < properties.length; i += 2) {
      builder = builder.property(properties[i], properties[i + 1]);
    }
    builder.execute();
  }

  private static Row record(String table, long rows, String day) {
    return RowFactory.create(
        table, rows, Timestamp.valueOf(day + " 10:00:00"), Date.valueOf(LocalDate.parse(day)));
  }

  /** Appends rows as the writer {@link #APP}, batch {@code version}. */
  private void appendRecords(long version, Row... rows) {
    delta.appendRowsOnce(spark, List.of(rows), RECORDS, table(), APP, version);
  }

  /** Runs {@code work} and returns how many Spark jobs started meanwhile. */
  private long jobsDuring(Runnable work) throws TimeoutException {
    AtomicLong jobs = new AtomicLong();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart jobStart) {
            jobs.incrementAndGet();
          }
        };
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().addSparkListener(listener);
    try {
      work.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    return jobs.get();
  }

  private List<String> records() {
    return spark
        .read()
        .format("delta")
        .load(table())
        .orderBy("table", "day")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void rowsTheDriverHoldsAreAppendedOnceByTheDriverWithoutASparkJob() throws Exception {
    createRecords();
    long jobs =
        jobsDuring(
            () -> {
              appendRecords(
                  0,
                  record("silver.plays", 3, "2026-12-01"),
                  record("silver.plays", 4, "2026-12-02"));
              appendRecords(0, record("silver.plays", 3, "2026-12-01"));
              appendRecords(1, record("silver.titles", 5, "2026-12-02"));
            });

    assertThat(jobs).isZero();
    assertThat(records())
        .containsExactly(
            "[silver.plays,3,2026-12-01 10:00:00.0,2026-12-01]",
            "[silver.plays,4,2026-12-02 10:00:00.0,2026-12-02]",
            "[silver.titles,5,2026-12-02 10:00:00.0,2026-12-02]");
    assertThat(snapshot().transactions().get(APP).get()).isEqualTo(1L);
    // One file per partition value, where Delta puts them, with their row counts as stats.
    try (Stream<Path> files = Files.walk(dir.resolve("table"))) {
      assertThat(
              files
                  .filter(p -> p.toString().endsWith(".parquet"))
                  .map(p -> p.getParent().getFileName().toString())
                  .sorted()
                  .toList())
          .containsExactly("day=2026-12-01", "day=2026-12-02", "day=2026-12-02");
    }
    assertThat(
            spark
                .sql("DESCRIBE HISTORY delta.`" + table() + "`")
                .where("operation = 'WRITE'")
                .selectExpr("operationMetrics['numOutputRows']")
                .orderBy("version")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList())
        .containsExactly("2", "1");
    assertThat(spark.read().format("delta").load(table()).where("day = '2026-12-02'").count())
        .isEqualTo(2);
  }

  @Test
  void aTableWithSomethingForDeltaToEnforceIsAppendedTheDataFrameWay() throws Exception {
    createRecords("delta.constraints.positive", "rows > 0");
    long jobs = jobsDuring(() -> appendRecords(0, record("silver.plays", 3, "2026-12-01")));
    assertThat(jobs).isPositive();
    assertThat(records()).containsExactly("[silver.plays,3,2026-12-01 10:00:00.0,2026-12-01]");

    assertThatThrownBy(() -> appendRecords(1, record("silver.plays", -1, "2026-12-01")))
        .hasMessageContaining("positive");
    assertThat(records()).hasSize(1);
  }

  @Test
  void rowsForATableNotCreatedYetCreateIt() {
    appendRecords(0, record("silver.plays", 3, "2026-12-01"));
    appendRecords(1, record("silver.plays", 4, "2026-12-02"));

    assertThat(records())
        .containsExactly(
            "[silver.plays,3,2026-12-01 10:00:00.0,2026-12-01]",
            "[silver.plays,4,2026-12-02 10:00:00.0,2026-12-02]");
  }

  @Test
  void rowsWithoutATransactionIdAreAppendedByTheDriverEachTime() throws Exception {
    createRecords();
    List<Row> rows = List.of(record("silver.plays", 3, "2026-12-01"));
    long jobs =
        jobsDuring(
            () -> {
              DeltaWriter.appendRows(spark, rows, RECORDS, table());
              DeltaWriter.appendRows(spark, rows, RECORDS, table());
            });

    assertThat(jobs).isZero();
    assertThat(records())
        .containsExactly(
            "[silver.plays,3,2026-12-01 10:00:00.0,2026-12-01]",
            "[silver.plays,3,2026-12-01 10:00:00.0,2026-12-01]");
    assertThat(snapshot().transactions().isEmpty()).isTrue();
  }

  @Test
  void writersAppendingToOneTableAtTheSameTimeEachLandEveryBatchOnce() {
    createRecords();
    List<String> writers = List.of("silver.plays", "silver.impressions", "silver.titles");
    List<Runnable> appends = new ArrayList<>();
    for (String writer : writers) {
      appends.add(
          () -> {
            for (long batch = 0; batch < 4; batch++) {
              // Each batch twice, as a replay after a crash would.
              for (int attempt = 0; attempt < 2; attempt++) {
                delta.appendRowsOnce(
                    spark,
                    List.of(record(writer, batch, "2026-12-01")),
                    RECORDS,
                    table(),
                    writer + ":query",
                    batch);
              }
            }
          });
    }
    SideBySide.run("concurrent-appends", appends);

    for (String writer : writers) {
      assertThat(
              spark
                  .read()
                  .format("delta")
                  .load(table())
                  .where(col("table").equalTo(writer))
                  .orderBy("rows")
                  .select("rows")
                  .as(Encoders.LONG())
                  .collectAsList())
          .as(writer)
          .containsExactly(0L, 1L, 2L, 3L);
      assertThat(snapshot().transactions().get(writer + ":query").get()).isEqualTo(3L);
    }
  }
}
