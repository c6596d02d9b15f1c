package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What silver refinement does without running a stream: names, preparing, refusing, resetting. */
class SilverRefinementTest {
  private static final String SPEC =
      """
      name: refinementtest
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
              schema: {op: string, title_id: string, seq: bigint}
              required: [op, title_id, seq]
            expectations:
              - name: op_known
                rule: op IN ('c', 'u', 'd')
                action: quarantine
            write: {mode: scd1, keys: [title_id], sequence_by: seq, delete_when: op = 'd'}
      """;

  private final SparkSession spark = TestSpark.get();
  private final DeltaWriter delta = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  @TempDir Path dir;

  private LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  private Pipeline pipeline() {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), SPEC);
  }

  private SilverRefinement refinement() {
    return new SilverRefinement(spark, lake(), pipeline().quarantineMaintenance(), delta);
  }

  private SilverTable table(String name) {
    return pipeline().silverTable(name).orElseThrow();
  }

  /** Appends rows, each given as its column values in order, to the Delta table at path. */
  private void append(String path, Object[]... rows) {
    StructType schema = spark.read().format("delta").load(path).schema();
    spark
        .createDataFrame(Stream.of(rows).map(RowFactory::create).toList(), schema)
        .write()
        .format("delta")
        .mode("append")
        .save(path);
  }

  private List<String> column(String path, String column) {
    return spark
        .read()
        .format("delta")
        .load(path)
        .select(column)
        .orderBy(column)
        .collectAsList()
        .stream()
        .map(r -> String.valueOf(r.get(0)))
        .toList();
  }

  @Test
  void queriesAndCheckpointsAreNamedAfterTheirTable() {
    assertThat(SilverRefinement.queryName(table("events"))).isEqualTo("silver.events");
    assertThat(refinement().checkpoint(table("titles")))
        .isEqualTo(lake().root() + "/_checkpoints/silver/titles");
  }

  @Test
  void prepareCreatesTheTableItsTombstonesQuarantineAndRecords() {
    TableRefiner refiner = refinement().prepare(table("titles"));

    assertThat(refiner.table()).isEqualTo(table("titles"));
    assertThat(column(lake().table(Layer.SILVER, "titles"), "title_id")).isEmpty();
    assertThat(
            spark.read().format("delta").load(lake().system("silver_tombstones/titles")).columns())
        .containsExactly("title_id", "seq");
    assertThat(QuarantineTable.read(spark, lake()).count()).isZero();
    assertThat(SilverRecords.expectationResults(spark, lake()).count()).isZero();
  }

  @Test
  void startingATableWhoseBronzeTableIsMissingStartsNoQueryAndSaysToIngestFirst() {
    List<SilverTable> tables = List.of(table("events"));

    assertThatThrownBy(() -> refinement().startAll(tables, true, EventSink.NONE))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "bronze.events does not exist yet at "
                + lake().table(Layer.BRONZE, "events")
                + ", so silver.events has nothing to read.\n"
                + "  Fix: Land it first: ./lakehouse ingest --once (or ./lakehouse run, which does"
                + " both).");
    assertThat(spark.streams().active()).isEmpty();
  }

  @Test
  void resetForgetsOneTablesRowsTombstonesQuarantineRecordsAndCheckpointOnly() throws IOException {
    LakeLayout lake = lake();
    refinement().prepare(table("events"));
    refinement().prepare(table("titles"));
    Timestamp at = Timestamp.from(Instant.parse("2026-11-20T12:00:00Z"));
    append(lake.table(Layer.SILVER, "events"), new Object[] {"e1", "start", "events", 0, 0L, at});
    append(lake.table(Layer.SILVER, "titles"), new Object[] {"c", "t1", 1L, "titles", 0, 0L, at});
    append(lake.system("silver_tombstones/titles"), new Object[] {"t2", 2L});
    append(
        QuarantineTable.path(lake),
        new Object[] {"silver.events", "type_known", "r", "{}", "events", 0, 1L, 0L, at, "utf8"},
        new Object[] {"silver.titles", "op_known", "r", "{}", "titles", 0, 2L, 0L, at, "utf8"});
    append(
        lake.system(SilverRecords.RECONCILIATION),
        new Object[] {"silver.events", "stream", "a", 0L, 2L, 1L, 1L, 0L, 0L, at},
        new Object[] {"silver.titles", "stream", "b", 0L, 3L, 1L, 1L, 0L, 1L, at});
    append(
        lake.system(SilverRecords.EXPECTATION_RESULTS),
        new Object[] {"silver.events", "parse", "quarantine", "a", 0L, 2L, 0L, at},
        new Object[] {"silver.events", "type_known", "quarantine", "a", 0L, 1L, 1L, at},
        new Object[] {"silver.titles", "op_known", "quarantine", "b", 0L, 2L, 1L, at});
    Path checkpoint = Path.of(refinement().checkpoint(table("titles")));
    Files.createDirectories(checkpoint.resolve("commits"));
    Files.writeString(checkpoint.resolve("metadata"), "{}");
    assertThat(column(lake.system("silver_tombstones/titles"), "title_id")).containsExactly("t2");

    refinement().reset(table("titles"));

    assertThat(column(lake.table(Layer.SILVER, "titles"), "title_id")).isEmpty();
    assertThat(column(lake.system("silver_tombstones/titles"), "title_id")).isEmpty();
    assertThat(checkpoint).doesNotExist();
    assertThat(column(QuarantineTable.path(lake), "source_table")).containsExactly("silver.events");
    assertThat(column(lake.system(SilverRecords.RECONCILIATION), "table"))
        .containsExactly("silver.events");
    assertThat(column(lake.system(SilverRecords.EXPECTATION_RESULTS), "table"))
        .containsExactly("silver.events", "silver.events");
    assertThat(column(lake.table(Layer.SILVER, "events"), "event_id")).containsExactly("e1");
    assertThat(
            spark
                .sql("DESCRIBE HISTORY delta.`" + lake.table(Layer.SILVER, "titles") + "`")
                .select("operation")
                .collectAsList()
                .stream()
                .map(Row::toString))
        .as("the table keeps its history")
        .contains("[DELETE]", "[WRITE]");
  }

  @Test
  void resetOfATableNeverRefinedDoesNothing() {
    refinement().reset(table("events"));

    assertThat(dir.resolve("lake")).doesNotExist();
  }
}
