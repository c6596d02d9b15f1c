package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline.Write;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Append-mode planning and writing against a temporary Delta table. */
class AppendWriterTest {
  private static final String COLUMNS = "event_id, user_id, event_date, source_offset";

  private final SparkSession spark = TestSpark.get();
  private final List<String> faultPoints = new ArrayList<>();
  private final DeltaWriter delta =
      new DeltaWriter(RetryPolicy.DEFAULT, (FaultInjector) faultPoints::add);

  @TempDir Path dir;

  private String path() {
    return dir.resolve("silver/events").toString();
  }

  /** Rows of (event_id, user_id, event_date, source_offset), such as {@code ('e1', 'u1', 1, 0)}. */
  private Dataset<Row> rows(String... values) {
    return spark.sql(
        "SELECT event_id, user_id, date_add(DATE'2026-11-19', day) AS event_date,"
            + " CAST(source_offset AS BIGINT) AS source_offset FROM VALUES "
            + String.join(", ", values)
            + " AS t(event_id, user_id, day, source_offset)");
  }

  private SilverWriter writer(List<String> keys) {
    return writer(keys, false);
  }

  private SilverWriter writer(List<String> keys, boolean conflicts) {
    Write write = new Write(WriteMode.APPEND, keys, "", "", "", List.of("event_date"));
    SilverWriter writer =
        SilverWriter.of(write, path(), dir.resolve("side").toString(), delta, conflicts);
    writer.create(spark, rows("('x', 'x', 1, 0)").schema());
    return writer;
  }

  private void holds(String... values) {
    rows(values).write().format("delta").mode("append").save(path());
  }

  private List<String> table() {
    return spark
        .read()
        .format("delta")
        .load(path())
        .selectExpr(COLUMNS.split(", "))
        .orderBy("event_id", "source_offset")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void aKeyTheTableAlreadyHoldsIsADuplicateAndIsNotWritten() {
    SilverWriter writer = writer(List.of("event_id"));
    holds("('e1', 'u1', 1, 0)");

    SilverWriter.Planned planned =
        writer.plan(
            rows("('e1', 'u1', 1, 7)", "('e2', 'u1', 1, 8)", "('e3', 'u2', 2, 9)"),
            3,
            "silver.events:q1",
            0);

    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(planned.duplicates()).isEqualTo(1);
    assertThat(table()).as("planning writes nothing").containsExactly("[e1,u1,2026-11-20,0]");
    planned.write().run();
    planned.release().run();
    assertThat(table())
        .containsExactly("[e1,u1,2026-11-20,0]", "[e2,u1,2026-11-20,8]", "[e3,u2,2026-11-21,9]");
  }

  @Test
  void aWriteRunAgainForTheSameVersionAppendsNothingAndReachesTheCommitFaultPoint() {
    SilverWriter writer = writer(List.of("event_id"));
    SilverWriter.Planned planned =
        writer.plan(rows("('e1', 'u1', 1, 0)", "('e2', 'u1', 1, 1)"), 2, "silver.events:q1", 4);

    planned.write().run();
    planned.write().run();
    planned.release().run();

    assertThat(table()).containsExactly("[e1,u1,2026-11-20,0]", "[e2,u1,2026-11-20,1]");
    assertThat(faultPoints)
        .containsExactly("after-commit:silver.events", "after-commit:silver.events");
  }

  @Test
  void aHeldKeyWithAnotherPayloadIsAConflictWhenTheWriterTellsThemApartAndADuplicateOtherwise() {
    holds("('e1', 'u1', 1, 0)", "('e2', 'u1', 1, 1)");
    Dataset<Row> candidates =
        rows("('e1', 'u1', 1, 7)", "('e2', 'u9', 1, 8)", "('e3', 'u2', 2, 9)");

    SilverWriter.Planned told = writer(List.of("event_id"), true).plan(candidates, 3, "q", 0);
    SilverWriter.Planned merged = writer(List.of("event_id"), false).plan(candidates, 3, "q", 0);

    assertThat(told.accepted()).isEqualTo(1);
    assertThat(told.duplicates()).as("e1 is a re-send: only the offset differs").isEqualTo(1);
    assertThat(told.conflictCount()).isEqualTo(1);
    assertThat(told.conflicts().selectExpr(COLUMNS.split(", ")).collectAsList())
        .map(Row::toString)
        .containsExactly("[e2,u9,2026-11-20,8]");
    assertThat(merged.accepted()).isEqualTo(1);
    assertThat(merged.duplicates()).isEqualTo(2);
    assertThat(merged.conflictCount()).isZero();
    assertThat(merged.conflicts()).isNull();
    told.write().run();
    told.release().run();
    merged.release().run();
    assertThat(table())
        .containsExactly("[e1,u1,2026-11-20,0]", "[e2,u1,2026-11-20,1]", "[e3,u2,2026-11-21,9]");
  }

  @Test
  void keyStateMarksDecideWithoutTheTableAndUncheckedRowsReadOnlyTheirPartitions() {
    SilverWriter writer = writer(List.of("event_id"), true);
    // e5 sits in a partition no unsure row reaches: were it read, e5's re-send would not be new.
    holds("('e4', 'u1', 2, 0)", "('e5', 'u1', 3, 1)", "('e7', 'u1', 2, 2)");
    Dataset<Row> rows =
        rows(
            "('e1', 'u1', 1, 10)",
            "('e2', 'u1', 1, 11)",
            "('e3', 'u1', 1, 12)",
            "('e4', 'u1', 2, 13)",
            "('e6', 'u1', 2, 14)",
            "('e5', 'u1', 3, 15)",
            "('e7', 'u8', 2, 16)");
    Column own = AppendWriter.payloadHash(AppendWriter.payloadColumns(rows.schema()));
    Dataset<Row> marked =
        rows.withColumn(
                KeyStates.COLUMN,
                expr(
                    "CASE event_id WHEN 'e1' THEN 'held' WHEN 'e2' THEN 'held' WHEN 'e3' THEN"
                        + " 'held' WHEN 'e5' THEN 'new' ELSE 'check' END"))
            .withColumn(
                KeyStates.HELD_HASH,
                when(col("event_id").equalTo("e1"), own)
                    .when(col("event_id").equalTo("e2"), own.plus(1))
                    .otherwise(lit(null).cast("bigint")));

    SilverWriter.Planned planned = writer.plan(marked, 7, "q", 0);
    planned.write().run();
    planned.release().run();

    // e1: held, same payload; e3: held, no hash kept; e4: checked, held in its partition.
    assertThat(planned.duplicates()).isEqualTo(3);
    assertThat(planned.conflicts().select("event_id").orderBy("event_id").collectAsList())
        .as("e2: held with another payload; e7: checked, its partition holds another payload")
        .map(r -> r.getString(0))
        .containsExactly("e2", "e7");
    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(table())
        .containsExactly(
            "[e4,u1,2026-11-21,0]",
            "[e5,u1,2026-11-22,1]",
            "[e5,u1,2026-11-22,15]",
            "[e6,u1,2026-11-21,14]",
            "[e7,u1,2026-11-21,2]");
  }

  @Test
  void aCompositeKeyIsHeldOnlyWhenEveryColumnMatches() {
    SilverWriter writer = writer(List.of("event_id", "user_id"));
    holds("('e1', 'u1', 1, 0)");

    SilverWriter.Planned planned =
        writer.plan(
            rows("('e1', 'u1', 1, 5)", "('e1', 'u2', 1, 6)", "('e2', 'u1', 1, 7)"),
            3,
            "silver.events:q1",
            0);
    planned.write().run();
    planned.release().run();

    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(planned.duplicates()).isEqualTo(1);
    assertThat(table())
        .containsExactly("[e1,u1,2026-11-20,0]", "[e1,u2,2026-11-20,6]", "[e2,u1,2026-11-20,7]");
  }

  @Test
  void withoutKeysEveryCandidateIsAcceptedEvenIfTheTableHoldsItAlready() {
    SilverWriter writer = writer(List.of());
    holds("('e1', 'u1', 1, 0)");

    SilverWriter.Planned planned =
        writer.plan(rows("('e1', 'u1', 1, 0)", "('e2', 'u1', 1, 1)"), 2, "silver.events:q1", 0);
    planned.write().run();

    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(planned.duplicates()).isZero();
    assertThat(table())
        .containsExactly("[e1,u1,2026-11-20,0]", "[e1,u1,2026-11-20,0]", "[e2,u1,2026-11-20,1]");
  }

  @Test
  void replacingARangeKeepsRowsOutsideItAndCountsKeysHeldThereAsDuplicates() {
    SilverWriter writer = writer(List.of("event_id"));
    holds("('e1', 'u1', 1, 0)", "('e2', 'u1', 1, 1)", "('e3', 'u1', 2, 2)");
    String range = "event_date = DATE'2026-11-20'";

    SilverWriter.Planned planned =
        writer.planReplacing(
            rows("('e1', 'u9', 1, 10)", "('e3', 'u9', 1, 11)", "('e4', 'u9', 1, 12)"), 3, range);

    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(planned.duplicates()).isEqualTo(1);
    planned.write().run();
    planned.write().run();
    planned.release().run();
    assertThat(table())
        .containsExactly("[e1,u9,2026-11-20,10]", "[e3,u1,2026-11-21,2]", "[e4,u9,2026-11-20,12]");
  }

  @Test
  void replacingARangeWithoutKeysWritesEveryCandidate() {
    SilverWriter writer = writer(List.of());
    holds("('e1', 'u1', 1, 0)", "('e2', 'u1', 2, 1)");

    SilverWriter.Planned planned =
        writer.planReplacing(
            rows("('e2', 'u9', 1, 10)", "('e2', 'u9', 1, 11)"), 2, "event_date = DATE'2026-11-20'");
    planned.write().run();
    planned.release().run();

    assertThat(planned.accepted()).isEqualTo(2);
    assertThat(planned.duplicates()).isZero();
    assertThat(table())
        .containsExactly("[e2,u1,2026-11-21,1]", "[e2,u9,2026-11-20,10]", "[e2,u9,2026-11-20,11]");
  }

  @Test
  void createMakesAnEmptyTablePartitionedAsTheSpecSaysAndKeepsAnExistingOne() {
    SilverWriter writer = writer(List.of("event_id"));
    holds("('e1', 'u1', 1, 0)");

    writer.create(spark, rows("('x', 'x', 1, 0)").schema());

    Row detail = DeltaTable.forPath(spark, path()).detail().select("partitionColumns").first();
    assertThat(detail.getList(0)).containsExactly("event_date");
    assertThat(table()).containsExactly("[e1,u1,2026-11-20,0]");
  }
}
