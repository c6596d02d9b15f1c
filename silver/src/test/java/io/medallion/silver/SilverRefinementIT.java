package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestBronze;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silver on real Delta tables and real Spark streaming, fed bronze rows written directly. */
class SilverRefinementIT {
  private static final String SPEC =
      """
      name: silvertest
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
              schema:
                event_id: string
                event_type: string
                position_s: int
                event_time: timestamp
              required: [event_time]
            transform:
              sql: SELECT *, to_date(event_time) AS event_date FROM input
            expectations:
              - {name: id_not_null, rule: event_id IS NOT NULL, action: quarantine}
              - name: event_type_known
                rule: event_type IN ('start', 'stop', 'heartbeat')
                action: quarantine
              - {name: position_not_negative, rule: position_s >= 0, action: quarantine}
              - {name: not_a_test_event, rule: event_id <> 'drop-me', action: drop}
              - {name: few_heartbeats, rule: event_type <> 'heartbeat', action: warn}
            write:
              mode: append
              keys: [event_id]
              partition_by: [event_date]
          titles:
            source: titles
            payload: &titles
              schema:
                op: string
                title_id: string
                name: string
                seq: bigint
                updated_at: timestamp
              required: [op, title_id, seq, updated_at]
            expectations:
              - {name: one_change_per_seq, unique: [title_id, seq], action: quarantine}
            write: {mode: scd1, keys: [title_id], sequence_by: seq, delete_when: op = 'd'}
          titles_history:
            source: titles
            payload:
              schema:
                op: string
                title_id: string
                name: string
                seq: bigint
                updated_at: timestamp
              required: [op, title_id, seq, updated_at]
            expectations:
              - {name: one_change_per_seq, unique: [title_id, seq], action: quarantine}
            write:
              mode: scd2
              keys: [title_id]
              sequence_by: seq
              effective_at: updated_at
              delete_when: op = 'd'
      """;

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  private Pipeline pipeline() {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), SPEC.replace("&titles", ""));
  }

  static String event(String id, String type, Object position, String time) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"position_s\":"
        + position
        + ",\"event_time\":\""
        + time
        + "\"}";
  }

  static void refineOnce(SparkSession spark, Pipeline pipeline, LakeLayout lake, String... tables) {
    refineOnce(spark, pipeline, lake, DeltaWriter.standard(), tables);
  }

  /** Refines what bronze holds, writing through {@code writer}. */
  static void refineOnce(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      DeltaWriter writer,
      String... tables) {
    refineOnce(spark, pipeline, lake, writer, EventSink.NONE, tables);
  }

  /** Refines what bronze holds, writing through {@code writer} and recording to {@code events}. */
  static void refineOnce(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      DeltaWriter writer,
      EventSink events,
      String... tables) {
    List<SilverTable> selected =
        Stream.of(tables).map(t -> pipeline.silverTable(t).orElseThrow()).toList();
    StreamRunner.awaitAll(
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance(), writer)
            .startAll(selected, true, events),
        () -> false,
        Duration.ofSeconds(30));
  }

  @Test
  void everyKindOfBadInputIsQuarantinedWithItsRuleAndReason() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = pipeline();
    new TestBronze(spark, lake, "events", "events")
        .append(
            TestBronze.text(event("e1", "start", 0, "2026-11-20T10:00:00Z")),
            TestBronze.text("{\"event_id\":\"e2\","),
            new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80},
            new byte[0],
            null,
            TestBronze.text(event("e3", "start", "\"x\"", "2026-11-20T10:00:00Z")),
            TestBronze.text("{\"event_id\":\"e4\",\"event_type\":\"stop\",\"position_s\":5}"),
            TestBronze.text(event("e5", "jump", 1, "2026-11-20T10:00:00Z")),
            TestBronze.text(event("e6", "stop", -5, "2026-11-20T10:00:00Z")),
            TestBronze.text(
                "{\"event_id\":\"e7\",\"event_type\":\"stop\",\"position_s\":7,"
                    + "\"event_time\":\"2026-11-21T00:30:00Z\",\"extra\":{\"a\":1}}"),
            TestBronze.text("[1,2]"),
            TestBronze.text(event("drop-me", "start", 0, "2026-11-20T10:00:00Z")),
            TestBronze.text(event("e8", "heartbeat", 60, "2026-11-20T10:01:00Z")),
            TestBronze.text(
                "{\"event_type\":\"stop\",\"position_s\":1,\"event_time\":\"2026-11-20T10:00:00Z\"}"),
            TestBronze.text(event("e9", "stop", 1, "not a time")));

    refineOnce(spark, pipeline, lake, "events");

    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.table(Layer.SILVER, "events"))
                .selectExpr(
                    "event_id",
                    "event_type",
                    "position_s",
                    "CAST(event_time AS STRING)",
                    "CAST(event_date AS STRING)",
                    "source_topic",
                    "source_partition",
                    "source_offset")
                .orderBy("source_offset")
                .collectAsList()
                .stream()
                .map(
                    r ->
                        tuple(
                            r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6),
                            r.get(7)))
                .toList())
        .containsExactly(
            tuple("e1", "start", 0, "2026-11-20 10:00:00", "2026-11-20", "events", 0, 0L),
            tuple("e7", "stop", 7, "2026-11-21 00:30:00", "2026-11-21", "events", 0, 9L),
            tuple("e8", "heartbeat", 60, "2026-11-20 10:01:00", "2026-11-20", "events", 0, 12L));

    List<Row> quarantined =
        QuarantineTable.read(spark, lake)
            .selectExpr(
                "offset",
                "rule",
                "reason",
                "raw_value",
                "raw_encoding",
                "source_table",
                "topic",
                "partition",
                "batch_id")
            .orderBy("offset")
            .collectAsList();
    assertThat(quarantined.stream().map(r -> tuple(r.get(0), r.get(1), r.get(2))).toList())
        .containsExactly(
            tuple(1L, "payload_malformed", "not a JSON object: {\"event_id\":\"e2\","),
            tuple(2L, "payload_not_utf8", "the value is not UTF-8 text (3 bytes)"),
            tuple(3L, "payload_empty", "the value is empty"),
            tuple(4L, "payload_empty", "the value is null (a tombstone)"),
            tuple(5L, "field_wrong_type", "field position_s: x is not a valid int"),
            tuple(6L, "field_missing", "required field event_time is missing or null"),
            tuple(
                7L,
                "event_type_known",
                "failed event_type_known: event_type IN ('start', 'stop', 'heartbeat')"),
            tuple(8L, "position_not_negative", "failed position_not_negative: position_s >= 0"),
            tuple(10L, "payload_malformed", "not a JSON object: [1,2]"),
            tuple(13L, "id_not_null", "failed id_not_null: event_id IS NOT NULL"),
            tuple(
                14L, "field_wrong_type", "field event_time: not a time is not a valid timestamp"));
    Row binary = quarantined.get(1);
    assertThat(binary.getString(3)).isEqualTo("//6A");
    assertThat(binary.getString(4)).isEqualTo("base64");
    assertThat(quarantined.get(4).getString(3))
        .isEqualTo(event("e3", "start", "\"x\"", "2026-11-20T10:00:00Z"));
    assertThat(quarantined.get(4).getString(4)).isEqualTo("utf8");
    assertThat(quarantined.get(3).isNullAt(3)).isTrue();
    assertThat(quarantined)
        .allSatisfy(
            r -> {
              assertThat(r.getString(5)).isEqualTo("silver.events");
              assertThat(r.getString(6)).isEqualTo("events");
              assertThat(r.getInt(7)).isZero();
              assertThat(r.getLong(8)).isZero();
            });

    Row counts =
        SilverRecords.reconciliation(spark, lake)
            .selectExpr("bronze_rows", "accepted", "quarantined", "duplicates", "dropped")
            .first();
    assertThat(
            List.of(
                counts.getLong(0),
                counts.getLong(1),
                counts.getLong(2),
                counts.getLong(3),
                counts.getLong(4)))
        .containsExactly(15L, 3L, 11L, 0L, 1L);
    assertThat(
            SilverRecords.expectationResults(spark, lake)
                .selectExpr("rule", "action", "passed", "failed")
                .collectAsList()
                .stream()
                .map(r -> tuple(r.get(0), r.get(1), r.get(2), r.get(3)))
                .toList())
        .containsExactlyInAnyOrder(
            tuple("parse", "quarantine", 7L, 8L),
            tuple("id_not_null", "quarantine", 6L, 1L),
            tuple("event_type_known", "quarantine", 6L, 1L),
            tuple("position_not_negative", "quarantine", 6L, 1L),
            // A rule that is null for a row fails: the row without event_id fails this one too.
            tuple("not_a_test_event", "drop", 5L, 2L),
            tuple("few_heartbeats", "warn", 6L, 1L));
  }

  @Test
  void duplicatesAcrossBatchesAndAReplayedBatchLeaveOneRowPerEventId() throws IOException {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = pipeline();
    TestBronze bronze = new TestBronze(spark, lake, "events", "events");
    String e1 = event("e1", "start", 0, "2026-11-20T10:00:00Z");
    String e2 = event("e2", "stop", 30, "2026-11-20T10:05:00Z");
    String e3 = event("e3", "start", 0, "2026-11-20T11:00:00Z");
    bronze.appendText(e1, e2, e1, "garbage");
    refineOnce(spark, pipeline, lake, "events");
    // Re-sent events arrive again at new offsets, in a later batch.
    bronze.appendText(e2, e3, e1);
    refineOnce(spark, pipeline, lake, "events");

    // A crash after the batch's writes but before its checkpoint commit: the batch is replayed.
    Path commits = Path.of(lake.checkpoint(Layer.SILVER, "events"), "commits");
    Files.delete(commits.resolve("1"));
    Files.deleteIfExists(commits.resolve(".1.crc"));
    refineOnce(spark, pipeline, lake, "events");

    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.table(Layer.SILVER, "events"))
                .selectExpr("event_id", "source_offset")
                .orderBy("event_id")
                .collectAsList()
                .stream()
                .map(r -> tuple(r.get(0), r.get(1)))
                .toList())
        .containsExactly(tuple("e1", 0L), tuple("e2", 1L), tuple("e3", 5L));
    assertThat(QuarantineTable.read(spark, lake).count()).isEqualTo(1);
    assertThat(
            SilverRecords.reconciliation(spark, lake)
                .selectExpr(
                    "batch_id", "bronze_rows", "accepted", "quarantined", "duplicates", "dropped")
                .orderBy("batch_id")
                .collectAsList()
                .stream()
                .map(r -> tuple(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
                .toList())
        .containsExactly(tuple(0L, 4L, 2L, 1L, 1L, 0L), tuple(1L, 3L, 1L, 0L, 2L, 0L));
  }

  /** The spec with silver.events holding its keys in state for seven days of event time. */
  private Pipeline pipelineWithKeyState() {
    Pipeline pipeline =
        PipelineLoader.parse(
            dir.resolve("pipeline.yaml"),
            SPEC.replace("&titles", "")
                .replace(
                    "        partition_by: [event_date]\n",
                    "        partition_by: [event_date]\n"
                        + "        event_time: event_time\n"
                        + "        dedupe_within: 7d\n")
                .replace(
                    "action: warn}\n",
                    "action: warn}\n"
                        + "        - {name: one_per_event, unique: [event_id], action: quarantine}\n"));
    assertThat(pipeline.silverTable("events").orElseThrow().write().keysInState()).isTrue();
    return pipeline;
  }

  private List<List<Object>> reconciliation(LakeLayout lake) {
    return values(
        SilverRecords.reconciliation(spark, lake)
            .selectExpr(
                "batch_id", "bronze_rows", "accepted", "quarantined", "duplicates", "dropped")
            .orderBy("batch_id"));
  }

  /** Each row's values, in the rows' order. */
  private static List<List<Object>> values(org.apache.spark.sql.Dataset<Row> rows) {
    return rows.collectAsList().stream()
        .map(r -> java.util.stream.IntStream.range(0, r.size()).mapToObj(r::get).toList())
        .toList();
  }

  @Test
  void keysAreHeldInStateAcrossRestartsWithinTheHorizonAndOlderRecordsAreCheckedAgainstTheTable() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = pipelineWithKeyState();
    TestBronze bronze = new TestBronze(spark, lake, "events", "events");
    java.time.Instant now = java.time.Instant.now();
    String recent = now.minus(Duration.ofHours(1)).toString();
    String old = now.minus(Duration.ofDays(30)).toString();
    String a = event("a", "start", 0, recent);
    String b = event("b", "start", 0, old);
    bronze.appendText(a, b, event("q", "bogus", 0, recent));
    refineOnce(spark, pipeline, lake, "events");
    // A restart: re-sends of a and b, the quarantined key q sent again valid, and d, never seen,
    // older than the horizon.
    bronze.appendText(a, b, event("q", "stop", 5, recent), event("d", "stop", 9, old));
    refineOnce(spark, pipeline, lake, "events");
    // Remove a from the table behind the query's back (a change commit, which the state's read
    // of the table skips): only the state still knows a.
    io.delta.tables.DeltaTable.forPath(spark, lake.table(Layer.SILVER, "events"))
        .delete("event_id = 'a'");
    // And q and d again with other payloads: conflicts, not duplicates.
    bronze.appendText(a, b, event("q", "start", 0, recent), event("d", "start", 1, old));
    refineOnce(spark, pipeline, lake, "events");

    assertThat(snapshot(lake, "events", "event_id", "source_offset"))
        .as("q accepted once valid, d (older than the horizon, new) accepted, no key twice")
        .containsExactly(List.of("b", 1L), List.of("d", 6L), List.of("q", 5L));
    assertThat(reconciliation(lake))
        .as(
            "batch 2: a is a duplicate by the state kept across the restart (the table no longer"
                + " holds it); b, older than the horizon, by its partition of the table")
        .containsExactly(
            List.of(0L, 3L, 2L, 1L, 0L, 0L),
            List.of(1L, 4L, 2L, 0L, 2L, 0L),
            List.of(2L, 4L, 0L, 2L, 2L, 0L));
    assertThat(
            values(
                QuarantineTable.read(spark, lake)
                    .selectExpr("offset", "rule", "batch_id")
                    .orderBy("offset")))
        .containsExactly(
            List.of(2L, "event_type_known", 0L),
            List.of(9L, "one_per_event", 2L),
            List.of(10L, "one_per_event", 2L));
  }

  private static final String T0 = "2026-11-20T10:00:00Z";

  static String change(String op, String title, String name, long seq, String time) {
    return "{\"op\":\""
        + op
        + "\",\"title_id\":\""
        + title
        + "\",\"name\":\""
        + name
        + "\",\"seq\":"
        + seq
        + ",\"updated_at\":\""
        + time
        + "\"}";
  }

  private List<List<Object>> snapshot(LakeLayout lake, String table, String... columns) {
    return values(
            spark.read().format("delta").load(lake.table(Layer.SILVER, table)).selectExpr(columns))
        .stream()
        .sorted(Comparator.comparing(Object::toString))
        .toList();
  }

  @Test
  void outOfOrderTitleChangesGiveExactScd1AndScd2AndAFullRefreshAgrees() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = pipeline();
    TestBronze bronze = new TestBronze(spark, lake, "titles", "titles");
    bronze.appendText(
        change("c", "t1", "A", 1, "2026-11-20T10:00:00Z"),
        change("u", "t1", "C", 3, "2026-11-20T10:30:00Z"),
        change("c", "t2", "X", 1, "2026-11-20T10:00:00Z"),
        change("c", "t3", "P", 1, "2026-11-20T10:00:00Z"),
        change("d", "t3", "P", 3, "2026-11-20T10:50:00Z"),
        change("c", "t4", "M", 1, "2026-11-20T10:00:00Z"),
        change("u", "t4", "N1", 2, "2026-11-20T10:10:00Z"),
        change("u", "t4", "N2", 2, "2026-11-20T10:10:00Z"),
        change("c", "t1", "A", 1, "2026-11-20T10:00:00Z"));
    refineOnce(spark, pipeline, lake, "titles", "titles_history");
    // Late: an update older than one applied, a delete, an update older than a delete.
    bronze.appendText(
        change("u", "t1", "B", 2, "2026-11-20T10:20:00Z"),
        change("d", "t2", "X", 2, "2026-11-20T10:40:00Z"),
        change("u", "t3", "Q", 2, "2026-11-20T10:10:00Z"));
    refineOnce(spark, pipeline, lake, "titles", "titles_history");

    String[] current = {"title_id", "name", "seq", "op"};
    List<List<Object>> expectedCurrent =
        List.of(List.of("t1", "C", 3L, "u"), List.of("t4", "M", 1L, "c"));
    assertThat(snapshot(lake, "titles", current)).isEqualTo(expectedCurrent);
    String[] history = {
      "title_id",
      "seq",
      "op",
      "name",
      "CAST(valid_from AS STRING)",
      "CAST(valid_to AS STRING)",
      "is_current"
    };
    List<List<Object>> expectedHistory =
        List.of(
            java.util.Arrays.asList(
                "t1", 1L, "c", "A", "2026-11-20 10:00:00", "2026-11-20 10:20:00", false),
            java.util.Arrays.asList(
                "t1", 2L, "u", "B", "2026-11-20 10:20:00", "2026-11-20 10:30:00", false),
            java.util.Arrays.asList("t1", 3L, "u", "C", "2026-11-20 10:30:00", null, true),
            java.util.Arrays.asList(
                "t2", 1L, "c", "X", "2026-11-20 10:00:00", "2026-11-20 10:40:00", false),
            java.util.Arrays.asList(
                "t2", 2L, "d", "X", "2026-11-20 10:40:00", "2026-11-20 10:40:00", false),
            java.util.Arrays.asList(
                "t3", 1L, "c", "P", "2026-11-20 10:00:00", "2026-11-20 10:10:00", false),
            java.util.Arrays.asList(
                "t3", 2L, "u", "Q", "2026-11-20 10:10:00", "2026-11-20 10:50:00", false),
            java.util.Arrays.asList(
                "t3", 3L, "d", "P", "2026-11-20 10:50:00", "2026-11-20 10:50:00", false),
            java.util.Arrays.asList("t4", 1L, "c", "M", "2026-11-20 10:00:00", null, true));
    assertThat(snapshot(lake, "titles_history", history)).isEqualTo(expectedHistory);
    // The two different changes with the same seq are quarantined, once per table.
    assertThat(
            QuarantineTable.read(spark, lake)
                .selectExpr("source_table", "offset", "rule")
                .orderBy("source_table", "offset")
                .collectAsList()
                .stream()
                .map(r -> tuple(r.get(0), r.get(1), r.get(2)))
                .toList())
        .containsExactly(
            tuple("silver.titles", 6L, "one_change_per_seq"),
            tuple("silver.titles", 7L, "one_change_per_seq"),
            tuple("silver.titles_history", 6L, "one_change_per_seq"),
            tuple("silver.titles_history", 7L, "one_change_per_seq"));

    // A full refresh rebuilds both from all of bronze in one batch: the same tables.
    SilverRefinement refinement =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance());
    refinement.reset(pipeline.silverTable("titles").orElseThrow());
    refinement.reset(pipeline.silverTable("titles_history").orElseThrow());
    refineOnce(spark, pipeline, lake, "titles", "titles_history");
    assertThat(snapshot(lake, "titles", current)).isEqualTo(expectedCurrent);
    assertThat(snapshot(lake, "titles_history", history)).isEqualTo(expectedHistory);
    assertThat(QuarantineTable.read(spark, lake).count()).isEqualTo(4);
    assertThat(SilverRecords.reconciliation(spark, lake).count()).isEqualTo(2);
  }

  @Test
  void aWidenedTypeAndAnAddedFieldReachTheTableOnTheNextRunAndAreInTheEventLog() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    TestBronze bronze = new TestBronze(spark, lake, "events", "events");
    bronze.appendText(event("e1", "start", 7, T0));
    refineOnce(spark, pipeline(), lake, "events");
    Pipeline widened =
        PipelineLoader.parse(
            dir.resolve("pipeline.yaml"),
            SPEC.replace("&titles", "")
                .replace(
                    "        position_s: int\n",
                    "        position_s: bigint\n          device: string\n"));
    bronze.appendText(
        "{\"event_id\":\"e2\",\"event_type\":\"stop\",\"position_s\":5000000000,"
            + "\"device\":\"tv\",\"event_time\":\""
            + T0
            + "\"}");
    List<Event> events = new ArrayList<>();
    EventSink sink =
        new EventSink() {
          @Override
          public void add(Event event) {
            events.add(event);
          }

          @Override
          public void output(String query, long batchId, long rows) {}
        };

    refineOnce(spark, widened, lake, DeltaWriter.standard(), sink, "events");

    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.table(Layer.SILVER, "events"))
                .selectExpr("event_id", "position_s", "typeof(position_s)", "device")
                .orderBy("event_id")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .containsExactly("[e1,7,bigint,null]", "[e2,5000000000,bigint,tv]");
    assertThat(events.stream().filter(e -> e.kind().equals(Event.SCHEMA)).toList())
        .containsExactly(
            Event.schemaChange(
                "silver.events",
                List.of(
                    "added column device (string)",
                    "widened column position_s from int to bigint")));
  }

  @Test
  void aTableThatFailsRestartsWithBackoffWhileTheOtherTablesKeepCommitting() throws Exception {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline =
        withFailRule(
            SPEC.replace("&titles", "")
                .replace(
                    "silver:\n  tables:\n",
                    "silver:\n  defaults: {trigger_interval: 1s}\n  tables:\n")
                .replace(
                    "    events:\n      source: events\n",
                    "    events:\n      source: events\n      on_failure: restart\n"));
    // A poison record: the fail rule stops every batch that reads it.
    new TestBronze(spark, lake, "events", "events").appendText(event("e1", "stop", -3, T0));
    TestBronze titles = new TestBronze(spark, lake, "titles", "titles");
    titles.appendText(change("c", "t1", "A", 1, "2026-11-20T10:00:00Z"));
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> restarts = java.util.Collections.synchronizedList(new ArrayList<>());
    StreamRunner.Supervisor supervisor =
        new StreamRunner.Supervisor() {
          @Override
          public void failed(String query, String message, Duration restartIn, int inARow) {
            failures.add(query + " " + inARow + " " + restartIn.toSeconds() + "s: " + message);
          }

          @Override
          public void restarted(String query, int inARow) {
            restarts.add(query + " " + inARow);
          }
        };
    List<StreamRunner.RunningQuery> queries =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance())
            .startAll(
                List.of(
                    pipeline.silverTable("events").orElseThrow(),
                    pipeline.silverTable("titles").orElseThrow()),
                false,
                EventSink.NONE);
    assertThat(queries.stream().map(q -> q.name() + " " + q.restart().isPresent()))
        .containsExactly("silver.events true", "silver.titles false");
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CompletableFuture<Void> run =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> StreamRunner.awaitAll(queries, stop::get, Duration.ofSeconds(30), supervisor));
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> !failures.isEmpty() && names(lake).equals(List.of("t1 A")));
      // Committed by the healthy table after the other one failed.
      titles.appendText(change("u", "t1", "B", 2, "2026-11-20T10:05:00Z"));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  failures.size() >= 2
                      && !restarts.isEmpty()
                      && names(lake).equals(List.of("t1 B")));
    } finally {
      stop.set(true);
    }
    run.get(60, java.util.concurrent.TimeUnit.SECONDS); // a restarting table does not fail the run

    String batch0 = "rule 'position_not_negative' (action fail) failed for 1 of 1 rows in batch 0";
    assertThat(failures.get(0)).startsWith("silver.events 1 1s: ").contains(batch0);
    assertThat(failures.get(1)).startsWith("silver.events 2 2s: ").contains(batch0);
    assertThat(restarts.get(0)).isEqualTo("silver.events 1");
    assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "events")).count())
        .as("the poison batch never committed")
        .isZero();
    assertThat(queries.stream().filter(q -> q.query().isActive())).isEmpty();
  }

  /** {@code spec} with the rule position_not_negative's action turned to fail. */
  private Pipeline withFailRule(String spec) {
    String failing =
        spec.replace(
            "{name: position_not_negative, rule: position_s >= 0, action: quarantine}",
            "{name: position_not_negative, rule: position_s >= 0, action: fail}");
    assertThat(failing).isNotEqualTo(spec);
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), failing);
  }

  private List<String> names(LakeLayout lake) {
    String path = lake.table(Layer.SILVER, "titles");
    if (!io.delta.tables.DeltaTable.isDeltaTable(spark, path)) {
      return List.of();
    }
    return spark
        .read()
        .format("delta")
        .load(path)
        .selectExpr("concat(title_id, ' ', name)")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  @Test
  void aFailRuleStopsTheJobNamingTheRuleAndAnExampleRow() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    Pipeline pipeline = withFailRule(SPEC.replace("&titles", ""));
    new TestBronze(spark, lake, "events", "events")
        .appendText(
            event("e1", "start", 0, T0), event("e2", "stop", -3, T0), event("e3", "stop", -4, T0));

    assertThatThrownBy(() -> refineOnce(spark, pipeline, lake, "events"))
        .satisfies(
            e -> {
              Throwable t = e;
              while (t != null && !(t instanceof MedallionException)) {
                t = t.getCause();
              }
              assertThat(t)
                  .isNotNull()
                  .hasMessage(
                      "silver.events: rule 'position_not_negative' (action fail) failed for 2 of 3"
                          + " rows in batch 0. Example: events partition 0 offset 1: "
                          + event("e2", "stop", -3, T0)
                          + "\n  Fix: Correct the records at their source, or change the rule's action to"
                          + " quarantine (the stream goes on and rejects are kept in"
                          + " silver.quarantine); then run again. Nothing of this batch was"
                          + " written.");
            });
    assertThat(spark.read().format("delta").load(lake.table(Layer.SILVER, "events")).count())
        .isZero();
    assertThat(QuarantineTable.read(spark, lake).count()).isZero();
  }

  @Test
  void reprocessMovesRecordsThatNowPassIntoSilverOnceAndReconciliationHolds() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    new TestBronze(spark, lake, "events", "events")
        .appendText(
            event("e1", "start", 0, T0),
            event("e2", "jump", 1, T0),
            event("e3", "jump", 2, T0),
            event("e4", "dance", 3, T0),
            "garbage");
    refineOnce(spark, pipeline(), lake, "events");
    assertThat(QuarantineTable.read(spark, lake).count()).isEqualTo(4);

    // The rule was too strict: 'jump' is a valid event type after all.
    Pipeline fixed =
        PipelineLoader.parse(
            dir.resolve("pipeline.yaml"),
            SPEC.replace("&titles", "")
                .replace(
                    "IN ('start', 'stop', 'heartbeat')",
                    "IN ('start', 'stop', 'heartbeat', 'jump')"));
    SilverTable events = fixed.silverTable("events").orElseThrow();
    assertThat(QuarantineReprocess.run(spark, fixed, lake, events, Optional.of("event_type_known")))
        .isEqualTo(new SilverRecords.Counts(0, 2, -2, 0, 0));
    assertThat(QuarantineReprocess.run(spark, fixed, lake, events, Optional.empty()))
        .as("the rest still fails: nothing moves")
        .isEqualTo(new SilverRecords.Counts(0, 0, 0, 0, 0));

    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake.table(Layer.SILVER, "events"))
                .select("event_id")
                .orderBy("event_id")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList())
        .containsExactly("e1", "e2", "e3");
    assertThat(
            QuarantineTable.read(spark, lake)
                .select("offset", "rule")
                .orderBy("offset")
                .collectAsList()
                .stream()
                .map(r -> tuple(r.get(0), r.get(1)))
                .toList())
        .containsExactly(tuple(3L, "event_type_known"), tuple(4L, "payload_malformed"));
    assertThat(ReconciliationCheck.check(spark, lake, List.of(events)))
        .allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue())
        .hasSize(4);
  }
}
