package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import io.medallion.core.events.Event;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.silver.SilverRecords.RuleResult;
import io.medallion.testkit.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single batches refined in batch mode from in-memory bronze rows into a temporary lake. */
class TableRefinerTest {
  private static final String SPEC =
      """
      name: refinertest
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
            payload:
              schema:
                op: string
                title_id: string
                name: string
                seq: bigint
              required: [op, title_id, seq]
            write: {mode: scd1, keys: [title_id], sequence_by: seq, delete_when: op = 'd'}
      """;

  private static final Timestamp INGESTED = Timestamp.from(Instant.parse("2026-11-20T12:00:00Z"));
  private static final String T0 = "2026-11-20T10:00:00Z";

  private final SparkSession spark = TestSpark.get();
  private final List<String> faultPoints =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final DeltaWriter delta =
      new DeltaWriter(RetryPolicy.DEFAULT, (FaultInjector) faultPoints::add);
  private final List<String> outputs = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public void add(Event event) {
          events.add(event);
        }

        @Override
        public void output(String query, long batchId, long rows) {
          outputs.add(query + " batch " + batchId + ": " + rows);
        }
      };

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private SilverTable table(String name, String spec) {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), spec).silverTable(name).orElseThrow();
  }

  private TableRefiner prepared(String name, String spec) {
    TableRefiner refiner = new TableRefiner(table(name, spec), lake(), delta);
    refiner.prepare(spark);
    return refiner;
  }

  private BatchContext batch(String query, long batchId) {
    return new BatchContext(query, batchId, query + ":q1", sink, delta.faults());
  }

  /** Bronze rows of partition 0 at {@code firstOffset}, {@code firstOffset + 1}, ... */
  private Dataset<Row> bronze(String topic, long firstOffset, String... values) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      rows.add(
          RowFactory.create(
              topic,
              0,
              firstOffset + i,
              INGESTED,
              null,
              values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8),
              null,
              INGESTED,
              Date.valueOf("2026-11-20"),
              0L));
    }
    return spark.createDataFrame(rows, BronzeContract.SCHEMA);
  }

  static String event(String id, String type, Object position) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"position_s\":"
        + position
        + ",\"event_time\":\""
        + T0
        + "\"}";
  }

  private static String change(String op, String title, String name, long seq) {
    return "{\"op\":\""
        + op
        + "\",\"title_id\":\""
        + title
        + "\",\"name\":\""
        + name
        + "\",\"seq\":"
        + seq
        + "}";
  }

  private List<String> rows(Dataset<Row> table, String... columns) {
    return table.selectExpr(columns).orderBy(columns[0]).collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  private List<String> silver(String name, String... columns) {
    return rows(spark.read().format("delta").load(lake().table(Layer.SILVER, name)), columns);
  }

  /** An outcome that keeps what the refiner hands it and writes nothing. */
  private static final class Kept implements TableRefiner.Outcome {
    Counts counts;
    List<RuleResult> results;
    List<String> rejects;
    boolean after;

    @Override
    public void beforeWrite(Counts counts, List<RuleResult> results, Dataset<Row> rejects) {
      this.counts = counts;
      this.results = results;
      this.rejects =
          rejects
              .selectExpr("offset", "rule", "reason", "batch_id")
              .orderBy("offset")
              .collectAsList()
              .stream()
              .map(Row::toString)
              .toList();
    }

    @Override
    public void afterWrite(Dataset<Row> rejects) {
      after = true;
    }
  }

  @Test
  void aStreamingBatchIsRefinedIntoExactRowsCountsRecordsAndQuarantineInBatchMode() {
    TableRefiner refiner = prepared("events", SPEC);

    Counts counts =
        refiner.refineStreamingBatch(
            bronze(
                "events",
                0,
                event("e1", "start", 0),
                event("e2", "stop", 30),
                event("e1", "start", 0),
                "garbage",
                event("e3", "jump", 1),
                event("drop-me", "start", 0),
                event("e4", "heartbeat", 60)),
            batch("silver.events", 5));

    assertThat(counts).isEqualTo(new Counts(7, 3, 2, 1, 1));
    assertThat(
            silver("events", "event_id", "event_type", "position_s", "event_date", "source_offset"))
        .containsExactly(
            "[e1,start,0,2026-11-20,0]",
            "[e2,stop,30,2026-11-20,1]",
            "[e4,heartbeat,60,2026-11-20,6]");
    assertThat(
            rows(
                QuarantineTable.read(spark, lake()),
                "offset",
                "source_table",
                "rule",
                "reason",
                "raw_value",
                "batch_id"))
        .containsExactly(
            "[3,silver.events,payload_malformed,not a JSON object: garbage,garbage,5]",
            "[4,silver.events,event_type_known,failed event_type_known: event_type IN ('start',"
                + " 'stop', 'heartbeat'),"
                + event("e3", "jump", 1)
                + ",5]");
    assertThat(
            rows(
                SilverRecords.reconciliation(spark, lake()),
                "table",
                "kind",
                "run_id",
                "batch_id",
                "bronze_rows",
                "accepted",
                "quarantined",
                "duplicates",
                "dropped"))
        .containsExactly("[silver.events,stream,silver.events:q1,5,7,3,2,1,1]");
    assertThat(
            rows(
                SilverRecords.expectationResults(spark, lake()),
                "rule",
                "action",
                "passed",
                "failed"))
        .containsExactly(
            "[event_type_known,quarantine,5,1]",
            "[few_heartbeats,warn,5,1]",
            "[id_not_null,quarantine,6,0]",
            "[not_a_test_event,drop,5,1]",
            "[parse,quarantine,6,1]",
            "[position_not_negative,quarantine,6,0]");
    assertThat(events).hasSize(6);
    assertThat(outputs).containsExactly("silver.events batch 5: 3");
    assertThat(faultPoints)
        .as("records, results and quarantine are committed before the silver table")
        .containsExactly(
            "after-commit:silver.events",
            "after-commit:silver.events",
            "after-commit:silver.events",
            "after-quarantine:silver.events",
            "after-commit:silver.events");
  }

  @Test
  void aFieldAddedToThePayloadBecomesAColumnNullInTheRowsTheTableHeld() {
    prepared("events", SPEC)
        .refineStreamingBatch(bronze("events", 0, event("e1", "start", 0)), batch("q", 0));
    String withDevice =
        SPEC.replace(
            "        position_s: int\n", "        position_s: int\n          device: string\n");
    assertThat(withDevice).isNotEqualTo(SPEC);

    prepared("events", withDevice)
        .refineStreamingBatch(
            bronze(
                "events",
                1,
                "{\"event_id\":\"e2\",\"event_type\":\"stop\",\"position_s\":5,\"device\":\"tv\","
                    + "\"event_time\":\""
                    + T0
                    + "\"}"),
            batch("q", 1));

    assertThat(silver("events", "event_id", "device")).containsExactly("[e1,null]", "[e2,tv]");
  }

  @Test
  void aNarrowedTypeIsRefusedWithTheSpecsLineAndTheCommandThatRebuildsTheTable() {
    prepared("events", SPEC)
        .refineStreamingBatch(bronze("events", 0, event("e1", "start", 0)), batch("q", 0));
    String narrowed = SPEC.replace("        position_s: int\n", "        position_s: smallint\n");
    assertThat(narrowed).isNotEqualTo(SPEC);

    assertThatThrownBy(() -> prepared("events", narrowed))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + ":14 [silver.tables.events.payload.schema]: the columns of silver.events no"
                + " longer fit the table at "
                + lake().table(Layer.SILVER, "events")
                + ": column 'position_s' changes type from int to smallint\n  Fix: Rebuild the"
                + " table with the new columns: ./lakehouse refine --full-refresh --table events (it"
                + " clears the table, its quarantined rows and records, then refines all of bronze"
                + " again); or undo the change in the spec.");
    // Nothing was written: the table keeps its row and its columns.
    assertThat(silver("events", "event_id", "typeof(position_s)")).containsExactly("[e1,int]");

    TableRefiner rebuilt = new TableRefiner(table("events", narrowed), lake(), delta);
    rebuilt.prepare(spark, true);

    assertThat(rebuilt.schemaChanges())
        .containsExactly("rebuilt: column 'position_s' changes type from int to smallint");
    assertThat(
            spark
                .read()
                .format("delta")
                .load(lake().table(Layer.SILVER, "events"))
                .schema()
                .apply("position_s")
                .dataType()
                .simpleString())
        .isEqualTo("smallint");
  }

  @Test
  void aWidenedTypeIsAppliedToTheRowsTheTableHeldKeepingItsPartitionsAndProperties() {
    prepared("events", SPEC)
        .refineStreamingBatch(bronze("events", 0, event("e1", "start", 7)), batch("q", 0));
    String path = lake().table(Layer.SILVER, "events");
    spark.sql(
        "ALTER TABLE delta.`"
            + path
            + "` SET TBLPROPERTIES ('delta.logRetentionDuration' = '9 days')");
    String widened =
        SPEC.replace(
            "        position_s: int\n", "        position_s: bigint\n          device: string\n");
    assertThat(widened).isNotEqualTo(SPEC);

    TableRefiner refiner = prepared("events", widened);
    refiner.refineStreamingBatch(
        bronze(
            "events",
            1,
            "{\"event_id\":\"e2\",\"event_type\":\"stop\",\"position_s\":5000000000,"
                + "\"device\":\"tv\",\"event_time\":\""
                + T0
                + "\"}"),
        batch("q", 1));

    assertThat(refiner.schemaChanges())
        .containsExactly(
            "added column device (string)", "widened column position_s from int to bigint");
    assertThat(silver("events", "event_id", "position_s", "typeof(position_s)", "device"))
        .containsExactly("[e1,7,bigint,null]", "[e2,5000000000,bigint,tv]");
    Row detail = io.delta.tables.DeltaTable.forPath(spark, path).detail().first();
    assertThat(detail.<String>getList(detail.fieldIndex("partitionColumns")))
        .containsExactly("event_date");
    assertThat(
            detail
                .<String, String>getJavaMap(detail.fieldIndex("properties"))
                .get("delta.logRetentionDuration"))
        .isEqualTo("9 days");
    // The next start finds nothing to change.
    assertThat(prepared("events", widened).schemaChanges()).isEmpty();
  }

  @Test
  void aReplayedStreamingBatchWritesNothingASecondTime() {
    TableRefiner refiner = prepared("events", SPEC);
    Dataset<Row> bronze =
        bronze("events", 0, event("e1", "start", 0), event("e2", "jump", 0), "garbage");
    refiner.refineStreamingBatch(bronze, batch("silver.events", 0));

    Counts replay = refiner.refineStreamingBatch(bronze, batch("silver.events", 0));

    assertThat(replay).as("the table holds e1 now").isEqualTo(new Counts(3, 0, 2, 1, 0));
    assertThat(silver("events", "event_id", "source_offset")).containsExactly("[e1,0]");
    assertThat(QuarantineTable.read(spark, lake()).count()).isEqualTo(2);
    assertThat(rows(SilverRecords.reconciliation(spark, lake()), "batch_id", "accepted"))
        .containsExactly("[0,1]");
  }

  @Test
  void aBatchWithoutRejectsMakesNoQuarantineCommit() {
    TableRefiner refiner = prepared("events", SPEC);
    Counts counts =
        refiner.refineStreamingBatch(
            bronze("events", 0, event("e1", "start", 0)), batch("silver.events", 0));

    assertThat(counts).isEqualTo(new Counts(1, 1, 0, 0, 0));
    assertThat(QuarantineTable.read(spark, lake()).count()).isZero();
    assertThat(
            io.delta.tables.DeltaTable.forPath(spark, QuarantineTable.path(lake()))
                .history()
                .where("operation = 'WRITE'")
                .count())
        .as("no write to silver.quarantine")
        .isZero();
    assertThat(faultPoints)
        .as("records and results, then the silver table")
        .containsExactly(
            "after-commit:silver.events",
            "after-commit:silver.events",
            "after-quarantine:silver.events",
            "after-commit:silver.events");
  }

  @Test
  void aKeyTheTableAlreadyHoldsIsADuplicateInALaterBatch() {
    TableRefiner refiner = prepared("events", SPEC);
    refiner.refineStreamingBatch(
        bronze("events", 0, event("e1", "start", 0)), batch("silver.events", 0));

    Counts counts =
        refiner.refineStreamingBatch(
            bronze("events", 1, event("e1", "stop", 99), event("e5", "start", 0)),
            batch("silver.events", 1));

    assertThat(counts).isEqualTo(new Counts(2, 1, 0, 1, 0));
    assertThat(silver("events", "event_id", "event_type", "source_offset"))
        .containsExactly("[e1,start,0]", "[e5,start,2]");
  }

  @Test
  void aKeyTheTableHoldsWithAnotherPayloadFailsTheUniquenessRuleOnTheKeysInALaterBatch() {
    String rule = "few_heartbeats, rule: event_type <> 'heartbeat', action: warn}";
    String spec =
        SPEC.replace(
            rule,
            rule + "\n        - {name: one_per_event, unique: [event_id], action: quarantine}");
    TableRefiner refiner = prepared("events", spec);
    refiner.refine(bronze("events", 0, event("e1", "start", 0)), "silver.events:q1", 0, new Kept());
    Kept kept = new Kept();

    Counts counts =
        refiner.refine(
            bronze("events", 1, event("e1", "stop", 99), event("e5", "start", 0)),
            "silver.events:q1",
            1,
            kept);
    Counts resent =
        refiner.refine(
            bronze("events", 3, event("e1", "start", 0)), "silver.events:q1", 2, new Kept());

    assertThat(counts).isEqualTo(new Counts(2, 1, 1, 0, 0));
    assertThat(kept.rejects)
        .containsExactly(
            "[1,one_per_event,failed one_per_event: the table already holds a row with the same"
                + " event_id and another payload,1]");
    assertThat(kept.results).contains(new RuleResult("one_per_event", "quarantine", 1, 1));
    assertThat(resent).as("a re-send is a duplicate").isEqualTo(new Counts(1, 0, 0, 1, 0));
    assertThat(silver("events", "event_id", "event_type", "source_offset"))
        .containsExactly("[e1,start,0]", "[e5,start,2]");
  }

  @Test
  void aDuplicateKeyInTheSameBatchIsCountedOnceAndTheLowestOffsetIsKept() {
    TableRefiner refiner = prepared("events", SPEC);
    Kept kept = new Kept();

    Counts counts =
        refiner.refine(
            bronze(
                "events",
                10,
                event("e1", "stop", 5),
                event("e1", "start", 0),
                event("e1", "start", 0),
                event("e2", "start", 0)),
            "silver.events:q1",
            0,
            kept);

    assertThat(counts).isEqualTo(new Counts(4, 2, 0, 2, 0));
    assertThat(kept.counts).isEqualTo(counts);
    assertThat(kept.after).isTrue();
    assertThat(silver("events", "event_id", "event_type", "source_offset"))
        .containsExactly("[e1,stop,10]", "[e2,start,13]");
  }

  @Test
  void aRejectedRowDoesNotMakeAValidRowWithItsKeyADuplicate() {
    TableRefiner refiner = prepared("events", SPEC);
    Kept kept = new Kept();

    Counts counts =
        refiner.refine(
            bronze(
                "events",
                0,
                event("e1", "jump", 0),
                event("e1", "start", -1),
                event("e1", "start", 0)),
            "silver.events:q1",
            0,
            kept);

    assertThat(counts).isEqualTo(new Counts(3, 1, 2, 0, 0));
    assertThat(kept.rejects)
        .containsExactly(
            "[0,event_type_known,failed event_type_known: event_type IN ('start', 'stop',"
                + " 'heartbeat'),0]",
            "[1,position_not_negative,failed position_not_negative: position_s >= 0,0]");
    assertThat(silver("events", "event_id", "source_offset")).containsExactly("[e1,2]");
  }

  @Test
  void rowsTheTransformRemovesAreCountedAsDropped() {
    String spec =
        SPEC.replace(
            "sql: SELECT *, to_date(event_time) AS event_date FROM input",
            "sql: SELECT *, to_date(event_time) AS event_date FROM input WHERE position_s < 100");
    TableRefiner refiner = prepared("events", spec);
    Kept kept = new Kept();

    Counts counts =
        refiner.refine(
            bronze(
                "events",
                0,
                event("e1", "start", 0),
                event("e2", "stop", 500),
                event("drop-me", "start", 0)),
            "silver.events:q1",
            0,
            kept);

    assertThat(counts).isEqualTo(new Counts(3, 1, 0, 0, 2));
    assertThat(kept.results)
        .containsExactly(
            new RuleResult("parse", "quarantine", 3, 0),
            new RuleResult("id_not_null", "quarantine", 2, 0),
            new RuleResult("event_type_known", "quarantine", 2, 0),
            new RuleResult("position_not_negative", "quarantine", 2, 0),
            new RuleResult("not_a_test_event", "drop", 1, 1),
            new RuleResult("few_heartbeats", "warn", 2, 0));
  }

  @Test
  void aFailRuleStopsTheBatchNamingTheRuleAndTheFirstFailingRecordBeforeAnyWrite() {
    String spec =
        SPEC.replace(
            "{name: position_not_negative, rule: position_s >= 0, action: quarantine}",
            "{name: position_not_negative, rule: position_s >= 0, action: fail}");
    TableRefiner refiner = prepared("events", spec);
    Kept kept = new Kept();

    assertThatThrownBy(
            () ->
                refiner.refine(
                    bronze(
                        "events",
                        0,
                        event("e1", "start", 0),
                        event("e2", "stop", -4),
                        event("e3", "stop", -3)),
                    "silver.events:q1",
                    7,
                    kept))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "silver.events: rule 'position_not_negative' (action fail) failed for 2 of 3 rows in"
                + " batch 7. Example: events partition 0 offset 1: "
                + event("e2", "stop", -4)
                + "\n  Fix: Correct the records at their source, or change the rule's action to"
                + " quarantine (the stream goes on and rejects are kept in silver.quarantine);"
                + " then run again. Nothing of this batch was written.");
    assertThat(kept.counts).isNull();
    assertThat(faultPoints).isEmpty();
    assertThat(spark.read().format("delta").load(lake().table(Layer.SILVER, "events")).count())
        .isZero();
  }

  @Test
  void aConflictUnderAFailRuleStopsTheBatchNamingTheRecordBeforeAnyWrite() {
    String rule = "few_heartbeats, rule: event_type <> 'heartbeat', action: warn}";
    String spec =
        SPEC.replace(
            rule, rule + "\n        - {name: one_per_event, unique: [event_id], action: fail}");
    TableRefiner refiner = prepared("events", spec);
    refiner.refine(bronze("events", 0, event("e1", "start", 0)), "silver.events:q1", 0, new Kept());
    Kept kept = new Kept();

    assertThatThrownBy(
            () ->
                refiner.refine(
                    bronze("events", 1, event("e5", "start", 0), event("e1", "stop", 99)),
                    "silver.events:q1",
                    1,
                    kept))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "silver.events: rule 'one_per_event' (action fail) failed for 1 records whose"
                + " event_id the table already holds with another payload in batch 1. Example:"
                + " events partition 0 offset 2: "
                + event("e1", "stop", 99)
                + "\n  Fix: Correct the records at their source");
    assertThat(kept.counts).isNull();
    assertThat(silver("events", "event_id", "event_type", "source_offset"))
        .containsExactly("[e1,start,0]");
  }

  @Test
  void anScdTableDedupesByKeyAndSequenceSoEveryNewChangeIsACandidate() {
    TableRefiner refiner = prepared("titles", SPEC);
    Kept kept = new Kept();

    Counts counts =
        refiner.refine(
            bronze(
                "titles",
                0,
                change("c", "t1", "A", 1),
                change("u", "t1", "B", 2),
                change("c", "t1", "A", 1),
                change("c", "t2", "X", 1),
                change("d", "t2", "X", 2)),
            "silver.titles:q1",
            0,
            kept);

    assertThat(counts).isEqualTo(new Counts(5, 4, 0, 1, 0));
    assertThat(silver("titles", "title_id", "name", "seq", "op")).containsExactly("[t1,B,2,u]");
  }

  @Test
  void prepareCreatesTheTableQuarantineAndRecordsWithTheTransformedSchema() {
    prepared("events", SPEC);

    assertThat(spark.read().format("delta").load(lake().table(Layer.SILVER, "events")).columns())
        .containsExactly(
            "event_id",
            "event_type",
            "position_s",
            "event_time",
            "source_topic",
            "source_partition",
            "source_offset",
            "ingested_at",
            "event_date");
    assertThat(QuarantineTable.read(spark, lake()).count()).isZero();
    assertThat(SilverRecords.reconciliation(spark, lake()).count()).isZero();
  }

  @Test
  void prepareReportsATransformThatDropsALineageColumnAtItsLine() {
    String spec =
        SPEC.replace(
            "sql: SELECT *, to_date(event_time) AS event_date FROM input",
            "sql: SELECT event_id, event_type, position_s, event_time, to_date(event_time) AS"
                + " event_date FROM input");

    assertThatThrownBy(() -> prepared("events", spec))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + ":21 [silver.tables.events.transform.sql]: the transform of silver.events drops"
                + " the column source_topic\n"
                + "  Fix: Keep the lineage and raw columns: select *, or list source_topic,"
                + " source_partition, source_offset, ingested_at, _raw, _raw_encoding.");
  }

  @Test
  void prepareReportsARuleThatIsNotAConditionAndARuleThatDoesNotAnalyse() {
    String notACondition = SPEC.replace("rule: position_s >= 0,", "rule: position_s + 1,");
    String unknownColumn = SPEC.replace("rule: position_s >= 0,", "rule: position >= 0,");

    assertThatThrownBy(() -> prepared("events", notACondition))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + ":27 [silver.tables.events.expectations[2]]: rule position_not_negative is not a"
                + " condition: it gives int\n"
                + "  Fix: Write a SQL condition that is true for a good row, such as position_s >="
                + " 0.");
    assertThatThrownBy(() -> prepared("events", unknownColumn))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            dir.resolve("pipeline.yaml")
                + ":27 [silver.tables.events.expectations[2]]: in silver.events: ")
        .hasMessageContaining("`position`")
        .hasMessageEndingWith(
            "\n  Fix: Use the payload's fields and the columns source_topic, source_partition,"
                + " source_offset, ingested_at, _raw, _raw_encoding; a SQL transform reads the"
                + " view input.");
  }

  @Test
  void prepareReportsAWriteColumnThatIsNotAColumn() {
    String spec = SPEC.replace("partition_by: [event_date]", "partition_by: [event_day]");

    assertThatThrownBy(() -> prepared("events", spec))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            dir.resolve("pipeline.yaml")
                + " [silver.tables.events.write]: column 'event_day' named in the write of"
                + " silver.events is not a column\n"
                + "  Fix: Use columns of the transformed rows: event_id, event_type, position_s,"
                + " event_time, source_topic, source_partition, source_offset, ingested_at, _raw,"
                + " _raw_encoding, event_date.");
    assertThat(dir.resolve("lake/silver/events")).doesNotExist();
  }
}
