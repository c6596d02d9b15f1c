package io.medallion.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.testkit.TestSpark;
import io.medallion.workbench.cli.CliRun.Result;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * {@code lakehouse maintain} keeps an {@code scd1} silver table's tombstones with the table: a
 * MERGE for every batch with deletes leaves them a file each, which nothing else compacts.
 */
class MaintainTombstonesTest {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.get();

  @Test
  void maintainingAnScd1TableCompactsItsTombstonesToo() {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    String tombstones = lake.tombstones("titles");
    StructType schema =
        new StructType().add("title_id", DataTypes.StringType).add("seq", DataTypes.LongType);
    for (long i = 1; i <= 3; i++) {
      spark
          .createDataFrame(List.of(RowFactory.create("t" + i, i)), schema)
          .coalesce(1)
          .write()
          .format("delta")
          .mode(SaveMode.Append)
          .save(tombstones);
    }
    assertThat(files(tombstones)).isEqualTo(3);

    Result r =
        CliRun.run(
            "maintain",
            "--table",
            "silver.titles",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            lake.toString(),
            "--conf",
            "spark.master=local[2]");

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("silver\\.titles +not created yet");
    assertThat(lines.get(1))
        .startsWith("silver.titles tombstones")
        .contains("files 3 -> 1 (compacted 3 into 1)");
    assertThat(files(tombstones)).isEqualTo(1);
    assertThat(spark.read().format("delta").load(tombstones).orderBy("title_id").collectAsList())
        .extracting(Row::toString)
        .containsExactly("[t1,1]", "[t2,2]", "[t3,3]");
  }

  private long files(String path) {
    return DeltaLog.forTable(spark, path)
        .update(false, Option.empty(), Option.empty())
        .numOfFiles();
  }
}
