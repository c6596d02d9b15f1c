package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.QuarantineTable;
import io.medallion.testkit.TestKafka.Coordinates;
import io.medallion.testkit.faults.Oracle;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The oracle of docs/reliability.md, applied to every table of the reference pipeline. */
final class ReferenceOracle {
  private ReferenceOracle() {}

  /**
   * Checks bronze, silver, quarantine, reconciliation and gold after a fault and a completed run.
   *
   * @param acknowledged records acknowledged before the completing run started
   * @param produced every record produced by the time of the check
   */
  static void check(
      SparkSession spark,
      Path spec,
      Path lakeDir,
      Set<Coordinates> acknowledged,
      Set<Coordinates> produced) {
    Pipeline pipeline = PipelineLoader.load(spec);
    LakeLayout lake = LakeLayout.of(lakeDir.toString());
    for (BronzeTable t : pipeline.bronzeTables()) {
      String topic = t.source().topic();
      Oracle.bronzeExactlyOnce(
          delta(spark, lake.table(Layer.BRONZE, t.name())),
          acknowledged.stream().filter(c -> c.topic().equals(topic)).collect(Collectors.toSet()),
          produced.stream().filter(c -> c.topic().equals(topic)).collect(Collectors.toSet()));
    }
    for (SilverTable t : pipeline.silverTables()) {
      Dataset<Row> silver = delta(spark, lake.table(Layer.SILVER, t.name()));
      if (t.write().mode() != WriteMode.APPEND) {
        if (t.write().mode() == WriteMode.SCD1) {
          assertThat(silver.groupBy(t.write().keys().get(0)).count().where("count > 1").count())
              .as(t.qualifiedName() + ": one current row per key")
              .isZero();
        }
        continue;
      }
      String key = t.write().keys().get(0);
      Oracle.silverAccountsForBronze(
          t.qualifiedName(),
          delta(spark, lake.table(Layer.BRONZE, t.source().name()))
              .selectExpr(
                  "partition",
                  "offset",
                  "get_json_object(CAST(value AS STRING), '$." + key + "') AS key"),
          silver.selectExpr(
              "source_partition AS partition",
              "source_offset AS offset",
              "CAST(`" + key + "` AS STRING) AS key"),
          QuarantineTable.read(spark, lake)
              .where("source_table = '" + t.qualifiedName() + "'")
              .select("partition", "offset", "reason"));
    }
    GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
    for (GoldTable t : pipeline.goldTables()) {
      Oracle.equalsRecompute(
          t.qualifiedName(),
          delta(spark, lake.table(Layer.GOLD, t.name())),
          aggregation.recomputation(t));
    }
    Cli.Result check = Cli.run(spec, lakeDir, "check");
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("Reconciliation holds.").doesNotContain("FAIL");
  }

  private static Dataset<Row> delta(SparkSession spark, String path) {
    return spark.read().format("delta").load(path);
  }
}
