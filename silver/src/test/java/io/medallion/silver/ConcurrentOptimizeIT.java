package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.testkit.TestBronze;
import io.medallion.testkit.TestSpark;
import io.medallion.testkit.faults.FaultFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reliability.md row 16: an OPTIMIZE commits on an SCD1 table while a micro-batch's MERGE into
 * it is half done. The MERGE's commit conflicts; the MERGE is run again (bounded), so the batch
 * does not fail and the table ends exactly as without the compaction.
 */
class ConcurrentOptimizeIT {
  private static final String SPEC =
      """
      name: optimize
      sources:
        titles: {topic: titles, partitions: 1}
      bronze:
        tables:
          titles: {source: titles}
      silver:
        tables:
          titles:
            source: titles
            payload:
              schema:
                op: string
                title_id: string
                name: string
                seq: bigint
                updated_at: timestamp
              required: [op, title_id, seq, updated_at]
            write: {mode: scd1, keys: [title_id], sequence_by: seq, delete_when: op = 'd'}
      """;

  private static final int TITLES = 40;

  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  @Test
  void anOptimizeCommittedInTheMiddleOfAMergeMakesTheMergeRunAgainAndLosesNothing()
      throws Exception {
    Pipeline pipeline = PipelineLoader.parse(dir.resolve("pipeline.yaml"), SPEC);
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    String silver = lake.table(Layer.SILVER, "titles");
    TestBronze bronze = new TestBronze(spark, lake, "titles", "titles");
    bronze.appendText(changes("c", 1));
    SilverRefinementIT.refineOnce(spark, pipeline, lake, "titles");

    // The next batch's MERGE has read the table; as it writes its first file, an OPTIMIZE ZORDER
    // (which rewrites every file) commits. The MERGE's commit then conflicts.
    AtomicReference<Throwable> optimizeFailed = new AtomicReference<>();
    FaultFileSystem.onCreate(
        "/silver/titles/",
        () -> {
          Thread optimizer =
              new Thread(
                  () -> {
                    try {
                      spark.sql("OPTIMIZE delta.`" + silver + "` ZORDER BY (name)").collect();
                    } catch (RuntimeException e) {
                      optimizeFailed.set(e);
                    }
                  },
                  "optimizer");
          optimizer.start();
          try {
            optimizer.join(120_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    DeltaWriter writer = DeltaWriter.standard();
    bronze.appendText(changes("u", 2));
    SilverRefinementIT.refineOnce(spark, pipeline, lake, writer, "titles");
    bronze.appendText(changes("u", 3));
    SilverRefinementIT.refineOnce(spark, pipeline, lake, writer, "titles");

    assertThat(optimizeFailed.get()).isNull();
    assertThat(
            spark
                .sql("DESCRIBE HISTORY delta.`" + silver + "`")
                // Auto compaction's own commits (auto = true) may follow the MERGE; not counted.
                .where("operation = 'OPTIMIZE' AND operationParameters.auto = 'false'")
                .count())
        .as("the OPTIMIZE committed")
        .isEqualTo(1);
    assertThat(writer.conflictsRetried())
        .as("the MERGE conflicted with it and ran again")
        .isEqualTo(1);
    List<Row> rows =
        spark.read().format("delta").load(silver).select("title_id", "name", "seq").collectAsList();
    assertThat(rows).hasSize(TITLES);
    assertThat(rows)
        .allSatisfy(
            r -> {
              assertThat(r.getString(1)).isEqualTo("name-3");
              assertThat(r.getLong(2)).isEqualTo(3);
            });
  }

  /** One change per title, all with sequence {@code seq}. */
  private static String[] changes(String op, int seq) {
    List<String> changes = new ArrayList<>();
    for (int t = 0; t < TITLES; t++) {
      changes.add(
          "{\"op\":\""
              + op
              + "\",\"title_id\":\"t"
              + t
              + "\",\"name\":\"name-"
              + seq
              + "\",\"seq\":"
              + seq
              + ",\"updated_at\":\"2026-11-20T10:00:00Z\"}");
    }
    return changes.toArray(String[]::new);
  }
}
