package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The late-slice records of streaming gold tables, in a temporary lake. */
class LateSlicesTest {
  private static final LocalDate D1 = LocalDate.of(2026, 11, 19);
  private static final LocalDate D2 = LocalDate.of(2026, 11, 20);

  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private void record(String table, String appId, long batchId, Map<LocalDate, Long> late) {
    LateSlices.record(spark, delta, lake(), table, late, appId, batchId);
  }

  private static Map<LocalDate, Long> late(Object... sliceAndCount) {
    Map<LocalDate, Long> late = new LinkedHashMap<>();
    for (int i = 0; i < sliceAndCount.length; i += 2) {
      late.put((LocalDate) sliceAndCount[i], (Long) sliceAndCount[i + 1]);
    }
    return late;
  }

  private List<String> rows() {
    return spark
        .read()
        .format("delta")
        .load(lake().system(LateSlices.TABLE))
        .selectExpr("gold_table", "slice", "late_rows", "batch_id", "corrected_at IS NOT NULL")
        .orderBy("gold_table", "batch_id", "slice")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void aBatchRecordsOneRowPerLateSliceOnceEvenWhenReplayed() {
    LateSlices.create(spark, lake());

    record("gold.trending", "gold.trending:q1", 4, late(D2, 3L, D1, 1L));
    record("gold.trending", "gold.trending:q1", 4, late(D2, 99L));
    record("gold.trending", "gold.trending:q1", 5, late(D2, 2L));

    assertThat(rows())
        .containsExactly(
            "[gold.trending,2026-11-19,1,4,false]",
            "[gold.trending,2026-11-20,3,4,false]",
            "[gold.trending,2026-11-20,2,5,false]");
  }

  @Test
  void pendingSlicesArePerTableDistinctAndInDateOrder() {
    LateSlices.create(spark, lake());
    record("gold.trending", "gold.trending:q1", 0, late(D2, 3L));
    record("gold.trending", "gold.trending:q1", 1, late(D2, 1L, D1, 1L));
    record("gold.other", "gold.other:q1", 0, late(LocalDate.of(2026, 1, 1), 7L));

    assertThat(LateSlices.pending(spark, lake(), "gold.trending")).containsExactly(D1, D2);
    assertThat(LateSlices.pending(spark, lake(), "gold.other"))
        .containsExactly(LocalDate.of(2026, 1, 1));
    assertThat(LateSlices.pending(spark, lake(), "gold.none")).isEmpty();
  }

  @Test
  void correctedSlicesOfOneTableAreNoLongerPending() {
    LateSlices.create(spark, lake());
    record("gold.trending", "gold.trending:q1", 0, late(D1, 1L, D2, 3L));
    record("gold.other", "gold.other:q1", 0, late(D1, 2L));

    LateSlices.corrected(spark, lake(), "gold.trending", List.of(D1));
    LateSlices.corrected(spark, lake(), "gold.trending", List.of());

    assertThat(LateSlices.pending(spark, lake(), "gold.trending")).containsExactly(D2);
    assertThat(LateSlices.pending(spark, lake(), "gold.other")).containsExactly(D1);
    assertThat(rows())
        .containsExactly(
            "[gold.other,2026-11-19,2,0,false]",
            "[gold.trending,2026-11-19,1,0,true]",
            "[gold.trending,2026-11-20,3,0,false]");
  }

  @Test
  void createKeepsWhatIsRecorded() {
    LateSlices.create(spark, lake());
    record("gold.trending", "gold.trending:q1", 0, late(D1, 1L));

    LateSlices.create(spark, lake());

    assertThat(rows()).containsExactly("[gold.trending,2026-11-19,1,0,false]");
    assertThat(lake().system(LateSlices.TABLE)).endsWith("/lake/_system/gold_late_slices");
  }
}
