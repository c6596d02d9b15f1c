package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

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

/** SCD type 2 batches applied to a temporary Delta table: versions and their validity. */
class Scd2WriterTest {
  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private String path() {
    return dir.resolve("silver/titles_history").toString();
  }

  /** Changes (op, title_id, name, seq, updated_at as HH:mm on 2026-11-20, offset). */
  private Dataset<Row> changes(String... values) {
    return spark.sql(
        "SELECT op, title_id, name, CAST(seq AS BIGINT) AS seq,"
            + " CAST(concat('2026-11-20 ', at) AS TIMESTAMP) AS updated_at,"
            + " 0 AS source_partition, CAST(source_offset AS BIGINT) AS source_offset FROM VALUES "
            + String.join(", ", values)
            + " AS t(op, title_id, name, seq, at, source_offset)");
  }

  private SilverWriter writer() {
    Write write =
        new Write(WriteMode.SCD2, List.of("title_id"), "seq", "updated_at", "op = 'd'", List.of());
    SilverWriter writer = SilverWriter.of(write, path(), dir.resolve("side").toString(), delta);
    writer.create(spark, changes("('c', 't', 'n', 1, '00:00', 0)").schema());
    return writer;
  }

  private void apply(SilverWriter writer, String... values) {
    SilverWriter.Planned planned =
        writer.plan(changes(values), values.length, "silver.titles_history:q1", 0);
    assertThat(planned.accepted()).isEqualTo(values.length);
    assertThat(planned.duplicates()).isZero();
    planned.write().run();
    planned.release().run();
  }

  /** (title_id, seq, op, name, valid_from, valid_to, is_current) by key and sequence. */
  private List<String> history() {
    return spark
        .read()
        .format("delta")
        .load(path())
        .selectExpr(
            "title_id",
            "seq",
            "op",
            "name",
            "date_format(valid_from, 'HH:mm')",
            "date_format(valid_to, 'HH:mm')",
            "is_current")
        .orderBy("title_id", "seq")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  /** [rows updated, rows inserted] by the table's last MERGE. */
  private String lastMerge() {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + path() + "`")
        .where("operation = 'MERGE'")
        .orderBy(org.apache.spark.sql.functions.col("version").desc())
        .selectExpr(
            "operationMetrics['numTargetRowsUpdated']", "operationMetrics['numTargetRowsInserted']")
        .first()
        .toString();
  }

  @Test
  void createAddsTheValidityColumnsToTheRowSchema() {
    writer();

    assertThat(spark.read().format("delta").load(path()).columns())
        .containsExactly(
            "op",
            "title_id",
            "name",
            "seq",
            "updated_at",
            "source_partition",
            "source_offset",
            "valid_from",
            "valid_to",
            "is_current");
  }

  @Test
  void eachChangeIsAVersionValidUntilTheNextOne() {
    SilverWriter writer = writer();

    apply(
        writer,
        "('u', 't1', 'B', 2, '10:20', 1)",
        "('c', 't1', 'A', 1, '10:00', 0)",
        "('c', 't2', 'X', 1, '09:00', 2)");

    assertThat(history())
        .containsExactly(
            "[t1,1,c,A,10:00,10:20,false]",
            "[t1,2,u,B,10:20,null,true]",
            "[t2,1,c,X,09:00,null,true]");
  }

  @Test
  void aLateOlderChangeIsSlottedInByItsSequenceAndClosesAroundItsNeighbours() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'A', 1, '10:00', 0)", "('u', 't1', 'C', 3, '10:30', 1)");

    apply(writer, "('u', 't1', 'B', 2, '10:20', 2)");

    assertThat(history())
        .containsExactly(
            "[t1,1,c,A,10:00,10:20,false]",
            "[t1,2,u,B,10:20,10:30,false]",
            "[t1,3,u,C,10:30,null,true]");
  }

  @Test
  void aDeleteIsAVersionThatIsNeverCurrentAndClosesTheOneBeforeIt() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'A', 1, '10:00', 0)");

    apply(writer, "('d', 't1', 'A', 2, '10:40', 1)");

    assertThat(history())
        .containsExactly("[t1,1,c,A,10:00,10:40,false]", "[t1,2,d,A,10:40,10:40,false]");
  }

  @Test
  void anUpdateOlderThanAStoredDeleteStaysClosedByTheDelete() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'P', 1, '10:00', 0)", "('d', 't1', 'P', 3, '10:50', 1)");

    apply(writer, "('u', 't1', 'Q', 2, '10:10', 2)");

    assertThat(history())
        .containsExactly(
            "[t1,1,c,P,10:00,10:10,false]",
            "[t1,2,u,Q,10:10,10:50,false]",
            "[t1,3,d,P,10:50,10:50,false]");
  }

  @Test
  void aChangeResentWithASequenceAlreadyStoredKeepsTheStoredVersion() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'A', 1, '10:00', 0)");

    apply(writer, "('c', 't1', 'Changed', 1, '11:00', 5)");

    assertThat(history()).containsExactly("[t1,1,c,A,10:00,null,true]");
  }

  @Test
  void twoChangesWithTheSameSequenceInABatchKeepTheFirstKafkaRecord() {
    SilverWriter writer = writer();

    apply(writer, "('c', 't1', 'Second', 1, '10:05', 4)", "('c', 't1', 'First', 1, '10:00', 3)");

    assertThat(history()).containsExactly("[t1,1,c,First,10:00,null,true]");
  }

  @Test
  void replayingABatchChangesNothing() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'A', 1, '10:00', 0)", "('u', 't1', 'C', 3, '10:30', 1)");
    String[] late = {"('u', 't1', 'B', 2, '10:20', 2)", "('c', 't2', 'X', 1, '09:00', 3)"};
    apply(writer, late);
    List<String> once = history();

    apply(writer, late);

    assertThat(history()).isEqualTo(once).hasSize(4);
    assertThat(lastMerge()).isEqualTo("[0,0]");
  }

  @Test
  void keysOutsideTheBatchAreNotTouched() {
    SilverWriter writer = writer();
    apply(writer, "('c', 't1', 'A', 1, '10:00', 0)", "('c', 't2', 'X', 1, '09:00', 1)");

    apply(writer, "('u', 't2', 'Y', 2, '09:30', 2)");

    assertThat(history())
        .containsExactly(
            "[t1,1,c,A,10:00,null,true]",
            "[t2,1,c,X,09:00,09:30,false]",
            "[t2,2,u,Y,09:30,null,true]");
    assertThat(lastMerge())
        .as("the last merge updated t2's first version and inserted its second, nothing else")
        .isEqualTo("[1,1]");
  }
}
