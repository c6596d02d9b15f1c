package io.medallion.core.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.spark.FaultInjector;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
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
}
