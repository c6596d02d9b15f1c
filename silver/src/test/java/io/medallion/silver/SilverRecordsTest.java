package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.events.Event;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.silver.SilverRecords.RuleResult;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciliation and rule-result records of a batch, in a temporary lake. */
class SilverRecordsTest {
  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);
  private final List<Event> events = new ArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public void add(Event event) {
          events.add(event);
        }

        @Override
        public void output(String query, long batchId, long rows) {}
      };

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private static final List<RuleResult> RESULTS =
      List.of(
          new RuleResult("parse", "quarantine", 9, 1),
          new RuleResult("ids_not_null", "drop", 7, 2));

  private void record(LakeLayout lake, String appId, long batchId, Counts counts) {
    record(lake, appId, batchId, counts, List.of());
  }

  private void record(
      LakeLayout lake, String appId, long batchId, Counts counts, List<Runnable> alongside) {
    SilverRecords.record(
        spark,
        lake,
        delta,
        sink,
        "silver.plays",
        SilverRecords.KIND_STREAM,
        appId,
        batchId,
        counts,
        RESULTS,
        alongside);
  }

  private List<String> reconciliation(LakeLayout lake) {
    return SilverRecords.reconciliation(spark, lake)
        .selectExpr(
            "table",
            "kind",
            "run_id",
            "batch_id",
            "bronze_rows",
            "accepted",
            "quarantined",
            "duplicates",
            "dropped")
        .orderBy("batch_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void countsBalanceWhenEveryBronzeRowHasOneOutcome() {
    assertThat(new Counts(10, 4, 3, 2, 1).balanced()).isTrue();
    assertThat(new Counts(10, 4, 3, 2, 0).balanced()).isFalse();
    assertThat(new Counts(0, 2, -2, 0, 0).balanced()).isTrue();
  }

  @Test
  void createMakesBothEmptyTablesWithTheirSchemas() {
    LakeLayout lake = lake();

    SilverRecords.create(spark, lake);
    SilverRecords.create(spark, lake);

    assertThat(SilverRecords.reconciliation(spark, lake).schema().fieldNames())
        .containsExactly(SilverRecords.RECONCILIATION_SCHEMA.fieldNames());
    assertThat(SilverRecords.expectationResults(spark, lake).schema().fieldNames())
        .containsExactly(SilverRecords.RESULTS_SCHEMA.fieldNames());
    assertThat(SilverRecords.reconciliation(spark, lake).count()).isZero();
    assertThat(SilverRecords.expectationResults(spark, lake).count()).isZero();
    assertThat(lake.system(SilverRecords.RECONCILIATION)).endsWith("/lake/_system/reconciliation");
  }

  @Test
  void bothTablesHaveNoAutoCompactionEvenIfCreatedWithIt() {
    LakeLayout lake = lake();
    String reconciliation = lake.system(SilverRecords.RECONCILIATION);
    // As a lake made before the system tables went without auto compaction has it.
    io.delta.tables.DeltaTable.create(spark)
        .location(reconciliation)
        .addColumns(SilverRecords.RECONCILIATION_SCHEMA)
        .property("delta.autoOptimize.autoCompact", "true")
        .execute();

    SilverRecords.create(spark, lake);

    for (String table : List.of(SilverRecords.RECONCILIATION, SilverRecords.EXPECTATION_RESULTS)) {
      assertThat(
              spark
                  .sql("SHOW TBLPROPERTIES delta.`" + lake.system(table) + "`")
                  .where("key = 'delta.autoOptimize.autoCompact'")
                  .select("value")
                  .as(org.apache.spark.sql.Encoders.STRING())
                  .collectAsList())
          .as(table)
          .containsExactly("false");
    }
  }

  @Test
  void aBatchRecordsOneReconciliationRowAndOneRowAndEventPerRule() {
    LakeLayout lake = lake();
    SilverRecords.create(spark, lake);

    record(lake, "silver.plays:q1", 3, new Counts(10, 4, 3, 2, 1));

    assertThat(reconciliation(lake))
        .containsExactly("[silver.plays,stream,silver.plays:q1,3,10,4,3,2,1]");
    assertThat(
            SilverRecords.expectationResults(spark, lake)
                .selectExpr("table", "rule", "action", "run_id", "batch_id", "passed", "failed")
                .orderBy("rule")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .containsExactly(
            "[silver.plays,ids_not_null,drop,silver.plays:q1,3,7,2]",
            "[silver.plays,parse,quarantine,silver.plays:q1,3,9,1]");
    assertThat(
            SilverRecords.reconciliation(spark, lake)
                .selectExpr("recorded_at")
                .union(SilverRecords.expectationResults(spark, lake).selectExpr("recorded_at"))
                .distinct()
                .count())
        .as("one recorded_at for the whole batch")
        .isEqualTo(1);
    assertThat(events)
        .containsExactly(
            Event.rule("silver.plays", "parse", "quarantine", 3, 9, 1),
            Event.rule("silver.plays", "ids_not_null", "drop", 3, 7, 2));
    assertThat(events.get(1).target()).isEqualTo("silver.plays/ids_not_null");
  }

  @Test
  void theBatchsOtherWritesRunSideBySideWithTheCallersLocalPropertiesAndTheAppendsStartNoJob()
      throws Exception {
    LakeLayout lake = lake();
    SilverRecords.create(spark, lake);
    SparkContext context = spark.sparkContext();
    // The streaming query's id, its job group: what the other writes' threads must carry over.
    String marker = UUID.randomUUID().toString();
    AtomicInteger markedJobs = new AtomicInteger();
    SparkListener jobs =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart job) {
            if (marker.equals(job.properties().getProperty("test.marker"))) {
              markedJobs.incrementAndGet();
            }
          }
        };
    // Two other writes of the batch that each wait for the other: only side by side do both end.
    CountDownLatch both = new CountDownLatch(2);
    List<Boolean> met = Collections.synchronizedList(new ArrayList<>());
    List<String> markers = Collections.synchronizedList(new ArrayList<>());
    Runnable other =
        () -> {
          markers.add(context.getLocalProperty("test.marker"));
          both.countDown();
          try {
            met.add(both.await(30, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    context.listenerBus().waitUntilEmpty();
    context.addSparkListener(jobs);
    context.setLocalProperty("test.marker", marker);
    try {
      record(lake, "silver.plays:q1", 3, new Counts(10, 4, 3, 2, 1), List.of(other, other));
      context.listenerBus().waitUntilEmpty();
    } finally {
      context.setLocalProperty("test.marker", null);
      context.removeSparkListener(jobs);
    }

    assertThat(met).containsExactly(true, true);
    assertThat(markers).containsExactly(marker, marker);
    // The driver writes the two appends' rows itself (DeltaWriter.appendRowsOnce).
    assertThat(markedJobs.get()).isZero();
    assertThat(reconciliation(lake)).hasSize(1);
    assertThat(SilverRecords.expectationResults(spark, lake).count()).isEqualTo(RESULTS.size());
  }

  @Test
  void aReplayedBatchRecordsNothingASecondTimeButTheNextBatchDoes() {
    LakeLayout lake = lake();
    SilverRecords.create(spark, lake);

    record(lake, "silver.plays:q1", 0, new Counts(10, 10, 0, 0, 0));
    record(lake, "silver.plays:q1", 0, new Counts(99, 99, 0, 0, 0));
    record(lake, "silver.plays:q1", 1, new Counts(5, 4, 1, 0, 0));
    record(lake, "silver.plays:q2", 0, new Counts(2, 2, 0, 0, 0));

    assertThat(reconciliation(lake))
        .containsExactlyInAnyOrder(
            "[silver.plays,stream,silver.plays:q1,0,10,10,0,0,0]",
            "[silver.plays,stream,silver.plays:q1,1,5,4,1,0,0]",
            "[silver.plays,stream,silver.plays:q2,0,2,2,0,0,0]");
    assertThat(SilverRecords.expectationResults(spark, lake).count()).isEqualTo(6);
  }

  @Test
  void aReprocessIsRecordedAsItsKindWithoutRuleResults() {
    LakeLayout lake = lake();
    SilverRecords.create(spark, lake);

    SilverRecords.record(
        spark,
        lake,
        delta,
        EventSink.NONE,
        "silver.plays",
        SilverRecords.KIND_REPROCESS,
        "silver.plays:reprocess:2:ab",
        0,
        new Counts(0, 2, -2, 0, 0),
        List.of(),
        List.of());

    assertThat(reconciliation(lake))
        .containsExactly("[silver.plays,reprocess,silver.plays:reprocess:2:ab,0,0,2,-2,0,0]");
    assertThat(SilverRecords.expectationResults(spark, lake).count()).isZero();
  }
}
