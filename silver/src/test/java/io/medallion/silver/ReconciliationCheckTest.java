package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.silver.ReconciliationCheck.Finding;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.testkit.TestBronze;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciliation check on a temporary lake whose records and tables are written directly. */
class ReconciliationCheckTest {
  private static final String SPEC =
      """
      name: rc
      sources:
        events: {topic: events}
        titles: {topic: titles}
      bronze:
        tables:
          events: {source: events}
          titles: {source: titles}
      silver:
        tables:
          events:
            source: events
            payload:
              schema: {event_id: string}
            write: {mode: append, keys: [event_id]}
          titles:
            source: titles
            payload:
              schema: {title_id: string, seq: bigint}
            write: {mode: scd1, keys: [title_id], sequence_by: seq}
      """;

  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private LakeLayout lake;
  private SilverTable events;
  private SilverTable titles;

  private void setUp() {
    lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = PipelineLoader.parse(dir.resolve("pipeline.yaml"), SPEC);
    events = pipeline.silverTable("events").orElseThrow();
    titles = pipeline.silverTable("titles").orElseThrow();
  }

  private void recorded(String table, long batchId, Counts counts) {
    SilverRecords.create(spark, lake);
    SilverRecords.record(
        spark,
        lake,
        delta,
        EventSink.NONE,
        table,
        SilverRecords.KIND_STREAM,
        table + ":q1",
        batchId,
        counts,
        List.of(),
        List.of());
  }

  private void quarantined(String... tables) {
    QuarantineTable.create(spark, lake);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < tables.length; i++) {
      rows.add(
          RowFactory.create(
              tables[i],
              "parse",
              "bad",
              "{",
              "events",
              0,
              (long) i,
              0L,
              Timestamp.from(Instant.parse("2026-11-20T10:00:00Z")),
              "utf8"));
    }
    spark
        .createDataFrame(rows, QuarantineTable.SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .save(QuarantineTable.path(lake));
  }

  private void silverEvents(String... ids) {
    spark
        .sql("SELECT * FROM VALUES ('" + String.join("'), ('", ids) + "') AS t(event_id)")
        .write()
        .format("delta")
        .mode("append")
        .save(lake.table(Layer.SILVER, "events"));
  }

  @Test
  void aLakeWithNothingRecordedSaysRunRefineFirstForEveryTable() {
    setUp();

    assertThat(ReconciliationCheck.check(spark, lake, List.of(events, titles)))
        .containsExactly(
            new Finding(
                "silver.events", "refined", false, "nothing recorded yet: run refine first"),
            new Finding(
                "silver.titles", "refined", false, "nothing recorded yet: run refine first"));
  }

  @Test
  void aConsistentAppendTableGivesFourPassingFindingsWithTheirNumbers() {
    setUp();
    new TestBronze(spark, lake, "events", "events").appendText("a", "b", "c", "d");
    silverEvents("e1", "e2");
    quarantined("silver.events", "silver.titles");
    recorded("silver.events", 0, new Counts(2, 1, 1, 0, 0));
    recorded("silver.events", 1, new Counts(1, 1, 0, 0, 0));

    assertThat(ReconciliationCheck.check(spark, lake, List.of(events)))
        .containsExactly(
            new Finding("silver.events", "every batch balances", true, "2 batches"),
            new Finding(
                "silver.events",
                "quarantine holds what was quarantined",
                true,
                "recorded 1, silver.quarantine has 1"),
            new Finding(
                "silver.events",
                "table holds what was accepted",
                true,
                "recorded 2, the table has 2"),
            new Finding(
                "silver.events",
                "bronze rows read exist",
                true,
                "read 3 of 4 in bronze.events (the rest is not refined yet)"));
  }

  @Test
  void everyMismatchIsAFailingFindingThatSaysWhatDiffers() {
    setUp();
    new TestBronze(spark, lake, "events", "events").appendText("a", "b");
    silverEvents("e1");
    quarantined("silver.events");
    recorded("silver.events", 0, new Counts(2, 2, 0, 0, 0));
    recorded("silver.events", 1, new Counts(1, 0, 0, 0, 0));

    assertThat(ReconciliationCheck.check(spark, lake, List.of(events)))
        .containsExactly(
            new Finding(
                "silver.events",
                "every batch balances",
                false,
                "1 batches where bronze rows <> the sum of the outcomes"),
            new Finding(
                "silver.events",
                "quarantine holds what was quarantined",
                false,
                "recorded 0, silver.quarantine has 1"),
            new Finding(
                "silver.events",
                "table holds what was accepted",
                false,
                "recorded 2, the table has 1"),
            new Finding(
                "silver.events", "bronze rows read exist", false, "read 3 of 2 in bronze.events"));
  }

  @Test
  void anScdTableIsNotCheckedAgainstItsRowCountAndAnUnrecordedTableSaysSo() {
    setUp();
    new TestBronze(spark, lake, "titles", "titles").appendText("a", "b");
    quarantined();
    recorded("silver.titles", 0, new Counts(2, 2, 0, 0, 0));

    assertThat(ReconciliationCheck.check(spark, lake, List.of(titles, events)))
        .containsExactly(
            new Finding("silver.titles", "every batch balances", true, "1 batches"),
            new Finding(
                "silver.titles",
                "quarantine holds what was quarantined",
                true,
                "recorded 0, silver.quarantine has 0"),
            new Finding(
                "silver.titles", "bronze rows read exist", true, "read 2 of 2 in bronze.titles"),
            new Finding(
                "silver.events", "refined", false, "no batches recorded: run refine first"));
  }
}
