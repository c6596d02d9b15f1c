package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
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
import io.medallion.testkit.TestBronze;
import io.medallion.testkit.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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

  /** Refines what bronze holds for a table as one batch, as its stream's first batch would. */
  private void refine(SilverTable table) {
    refinement()
        .prepare(table)
        .refineStreamingBatch(
            spark.read().format("delta").load(lake().table(Layer.BRONZE, table.source().name())),
            new BatchContext(
                table.qualifiedName(),
                0,
                table.qualifiedName() + ":q1",
                EventSink.NONE,
                FaultInjector.NONE));
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
    new TestBronze(spark, lake, "events", "events")
        .appendText("{\"event_id\":\"e1\",\"event_type\":\"start\"}", "{\"event_type\":\"jump\"}");
    new TestBronze(spark, lake, "titles", "titles")
        .appendText(
            "{\"op\":\"c\",\"title_id\":\"t1\",\"seq\":1}",
            "{\"op\":\"d\",\"title_id\":\"t2\",\"seq\":2}",
            "{\"op\":\"x\",\"title_id\":\"t3\",\"seq\":1}");
    refine(table("events"));
    refine(table("titles"));
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
        .contains("[DELETE]", "[MERGE]");
  }

  @Test
  void resetOfATableNeverRefinedDoesNothing() {
    refinement().reset(table("events"));

    assertThat(dir.resolve("lake")).doesNotExist();
  }
}
