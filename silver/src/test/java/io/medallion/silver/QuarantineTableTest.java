package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** silver.quarantine's location, schema and record-matching condition, in a temporary lake. */
class QuarantineTableTest {
  private final SparkSession spark = TestSpark.get();

  @TempDir Path dir;

  @Test
  void theTableLivesUnderSilverAsQuarantine() {
    LakeLayout lake = LakeLayout.of(dir.toString());

    assertThat(QuarantineTable.path(lake)).isEqualTo(dir.toAbsolutePath() + "/silver/quarantine");
  }

  @Test
  void createMakesAnEmptyTableWithTheSchemaAndKeepsRowsWhenRunAgain() {
    LakeLayout lake = LakeLayout.of(dir.toString());
    QuarantineTable.create(spark, lake);

    assertThat(QuarantineTable.read(spark, lake).count()).isZero();
    assertThat(
            List.of(QuarantineTable.read(spark, lake).schema().fields()).stream()
                .map(f -> f.name() + " " + f.dataType().simpleString())
                .toList())
        .containsExactly(
            "source_table string",
            "rule string",
            "reason string",
            "raw_value string",
            "topic string",
            "partition int",
            "offset bigint",
            "batch_id bigint",
            "quarantined_at timestamp",
            "raw_encoding string");
    assertThat(
            List.of(QuarantineTable.SCHEMA.fields()).stream()
                .filter(StructField::nullable)
                .map(StructField::name))
        .containsExactly("reason", "raw_value", "raw_encoding");

    spark
        .createDataFrame(
            List.of(
                RowFactory.create(
                    "silver.plays",
                    "parse",
                    "bad",
                    "{",
                    "plays",
                    0,
                    7L,
                    0L,
                    Timestamp.from(Instant.parse("2026-11-20T10:00:00Z")),
                    "utf8")),
            QuarantineTable.SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .save(QuarantineTable.path(lake));
    QuarantineTable.create(spark, lake);

    assertThat(QuarantineTable.read(spark, lake).count()).isEqualTo(1);
  }

  @Test
  void sameRecordMatchesTheTablesRowsByKafkaCoordinatesOnly() {
    assertThat(QuarantineTable.sameRecord("silver.plays"))
        .isEqualTo(
            "t.source_table = 'silver.plays' AND t.topic = s.topic"
                + " AND t.partition = s.partition AND t.offset = s.offset");

    List<Row> matched =
        spark
            .sql(
                "SELECT t.rule FROM VALUES ('silver.plays', 'plays', 0, 7L, 'a'), ('silver.other',"
                    + " 'plays', 0, 7L, 'b'), ('silver.plays', 'plays', 1, 7L, 'c'),"
                    + " ('silver.plays', 'plays', 0, 8L, 'd') AS t(source_table, topic, partition,"
                    + " offset, rule) JOIN VALUES ('plays', 0, 7L) AS s(topic, partition, offset)"
                    + " ON "
                    + QuarantineTable.sameRecord("silver.plays"))
            .collectAsList();

    assertThat(matched).extracting(r -> r.getString(0)).containsExactly("a");
  }
}
