package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.testkit.TestBronze;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reprocessing quarantined records through a corrected spec, on a temporary lake. */
class QuarantineReprocessTest {
  private static final String SPEC =
      """
      name: reprocesstest
      sources:
        events: {topic: events}
      bronze:
        tables:
          events: {source: events}
      silver:
        tables:
          events:
            source: events
            payload:
              schema: {event_id: string, event_type: string}
              required: [event_id]
            expectations:
              - name: type_known
                rule: event_type IN ('start', 'stop')
                action: quarantine
            write: {mode: append, keys: [event_id]}
      """;

  private static final String FIXED =
      SPEC.replace("IN ('start', 'stop')", "IN ('start', 'stop', 'jump')");

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private Pipeline pipeline(String spec) {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), spec);
  }

  private static String event(String id, String type) {
    return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\"}";
  }

  /** Lands records in bronze and refines them with the original spec as one streaming batch. */
  private void refined(String... values) {
    LakeLayout lake = lake();
    new TestBronze(spark, lake, "events", "events").appendText(values);
    SilverTable events = pipeline(SPEC).silverTable("events").orElseThrow();
    new SilverRefinement(
            spark, lake, null, new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE))
        .prepare(events)
        .refineStreamingBatch(
            spark.read().format("delta").load(lake.table(Layer.BRONZE, "events")),
            new BatchContext(
                "silver.events", 0, "silver.events:q1", EventSink.NONE, FaultInjector.NONE));
  }

  private Counts reprocess(Optional<String> rule) {
    Pipeline fixed = pipeline(FIXED);
    return QuarantineReprocess.run(
        spark, fixed, lake(), fixed.silverTable("events").orElseThrow(), rule);
  }

  private List<String> rows(org.apache.spark.sql.Dataset<Row> rows, String... columns) {
    return rows.selectExpr(columns).orderBy(columns[0]).collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void recordsThatNowPassMoveIntoSilverOnceAndAKeySilverHoldsIsADuplicate() {
    refined(
        event("e1", "start"),
        event("e2", "jump"),
        event("e3", "jump"),
        event("e4", "dance"),
        "{",
        event("e1", "jump"));

    assertThat(reprocess(Optional.of("type_known"))).isEqualTo(new Counts(0, 2, -3, 1, 0));
    assertThat(reprocess(Optional.empty()))
        .as("the rest still fails: nothing moves")
        .isEqualTo(new Counts(0, 0, 0, 0, 0));

    assertThat(
            rows(
                spark.read().format("delta").load(lake().table(Layer.SILVER, "events")),
                "event_id",
                "event_type",
                "source_offset"))
        .containsExactly("[e1,start,0]", "[e2,jump,1]", "[e3,jump,2]");
    assertThat(rows(QuarantineTable.read(spark, lake()), "offset", "rule"))
        .containsExactly("[3,type_known]", "[4,payload_malformed]");
    assertThat(
            rows(
                SilverRecords.reconciliation(spark, lake()),
                "kind",
                "bronze_rows",
                "accepted",
                "quarantined",
                "duplicates",
                "dropped"))
        .containsExactlyInAnyOrder(
            "[reprocess,0,2,-3,1,0]", "[reprocess,0,0,0,0,0]", "[stream,6,1,5,0,0]");
    SilverTable events = pipeline(FIXED).silverTable("events").orElseThrow();
    assertThat(ReconciliationCheck.check(spark, lake(), List.of(events)))
        .allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue())
        .hasSize(4);
  }

  @Test
  void onlyTheNamedRulesRecordsAreReprocessed() {
    LakeLayout lake = lake();
    new TestBronze(spark, lake, "events", "events")
        .appendText(event("e1", "jump"), "{\"event_type\":\"jump\"}");
    new SilverRefinement(spark, lake, null)
        .prepare(pipeline(SPEC).silverTable("events").orElseThrow());
    Timestamp at = Timestamp.from(TestBronze.INGESTED_AT);
    spark
        .createDataFrame(
            List.of(
                RowFactory.create(
                    "silver.events", "type_known", "r", "{}", "events", 0, 0L, 0L, at, "utf8"),
                RowFactory.create(
                    "silver.events", "field_missing", "r", "{}", "events", 0, 1L, 0L, at, "utf8")),
            QuarantineTable.SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .save(QuarantineTable.path(lake));

    assertThat(reprocess(Optional.of("field_missing"))).isEqualTo(new Counts(0, 0, 0, 0, 0));

    assertThat(rows(QuarantineTable.read(spark, lake), "offset", "rule"))
        .containsExactly("[0,type_known]", "[1,field_missing]");
    assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "events")).count())
        .as("e1 would pass now, but its rule was not named")
        .isZero();
  }

  @Test
  void withNothingQuarantinedNothingIsRefinedOrRecorded() {
    new TestBronze(spark, lake(), "events", "events").appendText(event("e1", "jump"));

    assertThat(reprocess(Optional.empty())).isEqualTo(new Counts(0, 0, 0, 0, 0));

    assertThat(spark.read().format("delta").load(lake().table(Layer.SILVER, "events")).count())
        .isZero();
    assertThat(SilverRecords.reconciliation(spark, lake()).count()).isZero();
  }
}
