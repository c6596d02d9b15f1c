package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline.Write;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCD type 1 batches applied to a temporary Delta table and its tombstones. */
class Scd1WriterTest {
  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private String path() {
    return dir.resolve("silver/titles").toString();
  }

  private String tombstones() {
    return dir.resolve("_system/silver_tombstones/titles").toString();
  }

  /** Changes (op, title_id, name, seq, source_partition, source_offset). */
  private Dataset<Row> changes(String... values) {
    return spark.sql(
        "SELECT op, title_id, name, CAST(seq AS BIGINT) AS seq,"
            + " CAST(source_partition AS INT) AS source_partition,"
            + " CAST(source_offset AS BIGINT) AS source_offset FROM VALUES "
            + String.join(", ", values)
            + " AS t(op, title_id, name, seq, source_partition, source_offset)");
  }

  private SilverWriter writer(String deleteWhen) {
    Write write = new Write(WriteMode.SCD1, List.of("title_id"), "seq", "", deleteWhen, List.of());
    SilverWriter writer = SilverWriter.of(write, path(), tombstones(), delta);
    writer.create(spark, changes("('c', 't', 'n', 1, 0, 0)").schema());
    return writer;
  }

  /** Plans and writes one batch; returns how many changes the plan accepted. */
  private long apply(SilverWriter writer, String... values) {
    Dataset<Row> batch = changes(values);
    SilverWriter.Planned planned = writer.plan(batch, values.length, "silver.titles:q1", 0);
    planned.write().run();
    planned.release().run();
    assertThat(planned.duplicates()).isZero();
    return planned.accepted();
  }

  private List<String> current() {
    return spark
        .read()
        .format("delta")
        .load(path())
        .selectExpr("title_id", "name", "seq", "op")
        .orderBy("title_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  private List<String> deleted() {
    return spark
        .read()
        .format("delta")
        .load(tombstones())
        .orderBy("title_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void theHighestSequenceInABatchWinsWhateverTheArrivalOrder() {
    SilverWriter writer = writer("op = 'd'");

    long accepted =
        apply(
            writer,
            "('c', 't1', 'A', 1, 0, 0)",
            "('u', 't1', 'C', 3, 0, 1)",
            "('u', 't1', 'B', 2, 0, 2)",
            "('c', 't2', 'X', 1, 0, 3)");

    assertThat(accepted).isEqualTo(4);
    assertThat(current()).containsExactly("[t1,C,3,u]", "[t2,X,1,c]");
  }

  @Test
  void aChangeOlderThanTheStoredRowIsIgnoredAndANewerOneReplacesIt() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('u', 't1', 'C', 3, 0, 1)");

    apply(writer, "('u', 't1', 'B', 2, 0, 2)");
    assertThat(current()).containsExactly("[t1,C,3,u]");

    apply(writer, "('u', 't1', 'D', 4, 0, 3)");
    assertThat(current()).containsExactly("[t1,D,4,u]");
  }

  @Test
  void aDeleteRemovesTheKeyAndItsTombstoneKeepsOutALateOlderUpdate() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('c', 't2', 'X', 1, 0, 1)");

    apply(writer, "('d', 't1', 'A', 3, 0, 2)");
    assertThat(current()).containsExactly("[t2,X,1,c]");
    assertThat(deleted()).containsExactly("[t1,3]");

    apply(writer, "('u', 't1', 'B', 2, 0, 3)");
    assertThat(current()).containsExactly("[t2,X,1,c]");

    apply(writer, "('c', 't1', 'Again', 4, 0, 4)");
    assertThat(current()).containsExactly("[t1,Again,4,c]", "[t2,X,1,c]");
    assertThat(deleted()).containsExactly("[t1,3]");
  }

  /** The table's latest Delta version. */
  private long version(String table) {
    return DeltaTable.forPath(spark, table).history(1).select("version").first().getLong(0);
  }

  @Test
  void aBatchCommitsOnlyToTheTablesItChanges() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('d', 't2', 'X', 3, 0, 1)");
    long table = version(path());
    long tombstoned = version(tombstones());

    // No delete: the tombstones get no commit.
    apply(writer, "('u', 't1', 'B', 2, 0, 2)");
    assertThat(version(path())).isEqualTo(table + 1);
    assertThat(version(tombstones())).isEqualTo(tombstoned);

    // Only a change its tombstone keeps out: no commit at all.
    apply(writer, "('u', 't2', 'Y', 2, 0, 3)");
    assertThat(version(path())).isEqualTo(table + 1);
    assertThat(version(tombstones())).isEqualTo(tombstoned);

    // A delete: both.
    apply(writer, "('d', 't1', 'B', 4, 0, 4)");
    assertThat(version(path())).isEqualTo(table + 2);
    assertThat(version(tombstones())).isEqualTo(tombstoned + 1);
    assertThat(current()).isEmpty();
    assertThat(deleted()).containsExactly("[t1,4]", "[t2,3]");
  }

  @Test
  void aDeleteOfAnUnknownKeyInsertsNothingButIsRemembered() {
    SilverWriter writer = writer("op = 'd'");

    apply(writer, "('d', 't9', 'Z', 5, 0, 0)");
    apply(writer, "('c', 't9', 'Z', 1, 0, 1)", "('d', 't9', 'Z', 7, 0, 2)");

    assertThat(current()).isEmpty();
    assertThat(deleted()).containsExactly("[t9,7]");
  }

  @Test
  void aDeleteAndAnOlderUpdateInTheSameBatchLeaveTheKeyDeleted() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)");

    apply(writer, "('u', 't1', 'B', 2, 0, 1)", "('d', 't1', 'B', 3, 0, 2)");

    assertThat(current()).isEmpty();
    assertThat(deleted()).containsExactly("[t1,3]");
  }

  @Test
  void forEqualSequencesTheLaterKafkaRecordWins() {
    SilverWriter writer = writer("op = 'd'");

    apply(
        writer,
        "('u', 't1', 'p0-o9', 2, 0, 9)",
        "('u', 't1', 'p1-o1', 2, 1, 1)",
        "('u', 't1', 'p1-o0', 2, 1, 0)");

    assertThat(current()).containsExactly("[t1,p1-o1,2,u]");
  }

  @Test
  void aReplayAfterOnlyTheTombstonesWereMergedCompletesTheTable() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('c', 't2', 'X', 1, 0, 1)");
    String[] batch = {
      "('u', 't1', 'B', 2, 0, 2)", "('d', 't2', 'X', 2, 0, 3)", "('u', 't2', 'Y', 1, 0, 4)"
    };
    // The two MERGEs run side by side: a crash may land after the tombstones' and before the
    // table's. What the tombstones' MERGE would have written, written alone:
    spark
        .sql("SELECT 't2' AS title_id, CAST(2 AS BIGINT) AS seq")
        .write()
        .format("delta")
        .mode("append")
        .save(tombstones());

    apply(writer, batch);

    assertThat(current()).containsExactly("[t1,B,2,u]");
    assertThat(deleted()).containsExactly("[t2,2]");
  }

  @Test
  void replayingABatchChangesNothing() {
    SilverWriter writer = writer("op = 'd'");
    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('c', 't2', 'X', 1, 0, 1)");
    String[] batch = {"('u', 't1', 'B', 2, 0, 2)", "('d', 't2', 'X', 2, 0, 3)"};
    apply(writer, batch);
    List<String> once = current();

    apply(writer, batch);

    assertThat(once).containsExactly("[t1,B,2,u]");
    assertThat(current()).isEqualTo(once);
    assertThat(deleted()).containsExactly("[t2,2]");
  }

  @Test
  void withoutDeleteWhenNoTombstoneTableIsKeptAndEveryOpIsAnUpsert() {
    SilverWriter writer = writer("");

    apply(writer, "('c', 't1', 'A', 1, 0, 0)", "('d', 't1', 'A', 2, 0, 1)");

    assertThat(current()).containsExactly("[t1,A,2,d]");
    assertThat(DeltaTable.isDeltaTable(spark, tombstones())).isFalse();
  }
}
