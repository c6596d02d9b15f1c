package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilding an append table's rows of past ingestion dates, on a temporary lake. */
class SilverBackfillTest {
  private static final String SPEC =
      """
      name: backfilltest
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
              schema: {event_id: string, event_type: string}
            expectations:
              - name: type_known
                rule: event_type IN ('start', 'stop')
                action: quarantine
            write: {mode: append, keys: [event_id]}
          titles:
            source: titles
            payload:
              schema: {title_id: string, seq: bigint}
            write: {mode: scd1, keys: [title_id], sequence_by: seq}
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

  /** Lands records in bronze/events ingested at noon UTC of {@code date}, from {@code offset}. */
  private void landed(LocalDate date, long offset, String... values) {
    Timestamp noon = Timestamp.from(date.atTime(12, 0).toInstant(ZoneOffset.UTC));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      rows.add(
          RowFactory.create(
              "events",
              0,
              offset + i,
              noon,
              null,
              values[i].getBytes(StandardCharsets.UTF_8),
              null,
              noon,
              Date.valueOf(date),
              0L));
    }
    spark
        .createDataFrame(rows, BronzeContract.SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .partitionBy(BronzeContract.PARTITION_COLUMN)
        .save(lake().table(Layer.BRONZE, "events"));
  }

  private List<String> silver() {
    return spark
        .read()
        .format("delta")
        .load(lake().table(Layer.SILVER, "events"))
        .selectExpr("event_id", "event_type")
        .orderBy("event_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  private List<Long> quarantinedOffsets() {
    return QuarantineTable.read(spark, lake())
        .select("offset")
        .orderBy("offset")
        .collectAsList()
        .stream()
        .map(r -> r.getLong(0))
        .toList();
  }

  @Test
  void aRangeOfPastDatesIsRebuiltThroughTheCurrentSpecAndOtherDatesStay() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate first = today.minusDays(3);
    LocalDate second = today.minusDays(2);
    landed(first, 0, event("e1", "start"), event("e2", "jump"));
    landed(second, 2, event("e3", "jump"), event("e4", "start"));
    SilverTable events = pipeline(SPEC).silverTable("events").orElseThrow();
    new SilverRefinement(
            spark, lake(), null, new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE))
        .prepare(events)
        .refineStreamingBatch(
            spark.read().format("delta").load(lake().table(Layer.BRONZE, "events")),
            new BatchContext(
                "silver.events", 0, "silver.events:q1", EventSink.NONE, FaultInjector.NONE));
    assertThat(silver()).containsExactly("[e1,start]", "[e4,start]");
    Pipeline fixed = pipeline(FIXED);
    SilverTable fixedEvents = fixed.silverTable("events").orElseThrow();

    SilverBackfill.Result result =
        SilverBackfill.run(spark, fixed, lake(), fixedEvents, first, first);

    assertThat(result).isEqualTo(new SilverBackfill.Result(2, 1, 2, 1, 0));
    assertThat(silver()).containsExactly("[e1,start]", "[e2,jump]", "[e4,start]");
    assertThat(quarantinedOffsets()).as("the second date's reject stays").containsExactly(2L);

    assertThat(SilverBackfill.run(spark, fixed, lake(), fixedEvents, first, first))
        .as("running it again writes the same rows")
        .isEqualTo(new SilverBackfill.Result(2, 2, 2, 0, 0));
    assertThat(silver()).containsExactly("[e1,start]", "[e2,jump]", "[e4,start]");
    assertThat(
            SilverRecords.reconciliation(spark, lake())
                .selectExpr("kind", "accepted")
                .collectAsList()
                .stream()
                .map(Row::toString))
        .as("the stream's records stay as they were")
        .containsExactly("[stream,2]");
  }

  @Test
  void anScdTableCannotBeRebuiltByDate() {
    SilverTable titles = pipeline(SPEC).silverTable("titles").orElseThrow();
    LocalDate day = LocalDate.of(2026, 11, 1);

    assertThatThrownBy(() -> SilverBackfill.check(titles, day, day, day.plusDays(5)))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "silver.titles is written in scd1 mode: its rows are the latest state of each key,"
                + " not the records of a date, so a range of dates cannot be rebuilt on its own.\n"
                + "  Fix: Rebuild the whole table from bronze: stop the pipeline, then run"
                + " ./lakehouse refine --full-refresh --table titles.");
  }

  @Test
  void aRangeEndingTodayOrLaterIsRefusedAndYesterdayIsAllowed() {
    SilverTable events = pipeline(SPEC).silverTable("events").orElseThrow();
    LocalDate today = LocalDate.of(2026, 11, 20);

    assertThatThrownBy(() -> SilverBackfill.check(events, today.minusDays(3), today, today))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "--to 2026-11-20 is not before today (2026-11-20, UTC): bronze is still ingesting that"
                + " date's records, and the live stream refines them.\n"
                + "  Fix: Backfill up to yesterday: --to 2026-11-19.");
    assertThatThrownBy(() -> SilverBackfill.check(events, today, today.plusDays(1), today))
        .hasMessageStartingWith("--to 2026-11-21 is not before today (2026-11-20, UTC)");
    assertThatCode(
            () -> SilverBackfill.check(events, today.minusDays(3), today.minusDays(1), today))
        .doesNotThrowAnyException();
  }
}
