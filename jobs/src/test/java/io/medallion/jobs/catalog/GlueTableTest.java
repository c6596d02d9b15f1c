package io.medallion.jobs.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.jobs.catalog.GlueTable.Column;
import io.medallion.jobs.cli.OptionException;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class GlueTableTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("Play_ID", DataTypes.StringType)
          .add("event_date", DataTypes.DateType)
          .add("seen_at", DataTypes.TimestampNTZType)
          .add("region", DataTypes.StringType)
          .add(
              "tags",
              DataTypes.createArrayType(
                  new StructType().add("k", DataTypes.StringType).add("n", DataTypes.LongType)))
          .add("note", DataTypes.StringType, true, Metadata.empty())
          .add("score", DataTypes.createDecimalType(10, 2));

  @Test
  void partitionColumnsBecomeKeysInPartitioningOrderAndTheRestStayInSchemaOrder() {
    GlueTable table =
        GlueTable.of(
            "dev_silver",
            "Plays",
            "s3a://lake/root/silver/plays",
            SCHEMA,
            List.of("region", "event_date"));

    assertThat(table.name()).isEqualTo("plays");
    assertThat(table.location()).isEqualTo("s3://lake/root/silver/plays");
    assertThat(table.columns())
        .containsExactly(
            new Column("play_id", "string", null),
            new Column("seen_at", "timestamp", null),
            new Column("tags", "array<struct<k:string,n:bigint>>", null),
            new Column("note", "string", null),
            new Column("score", "decimal(10,2)", null));
    assertThat(table.partitionKeys())
        .containsExactly(
            new Column("region", "string", null), new Column("event_date", "date", null));
  }

  @Test
  void commentsAreKeptAndCutToGluesLimit() {
    StructType schema =
        new StructType()
            .add("a", DataTypes.StringType, true, "short")
            .add("b", DataTypes.StringType, true, "x".repeat(300));

    GlueTable table = GlueTable.of("gold", "t", "s3://b/t", schema, List.of());

    assertThat(table.columns().get(0).comment()).isEqualTo("short");
    assertThat(table.columns().get(1).comment()).isEqualTo("x".repeat(255));
  }

  @Test
  void onlyS3aLocationsAreRewritten() {
    assertThat(GlueTable.athenaLocation("s3a://b/p/t")).isEqualTo("s3://b/p/t");
    assertThat(GlueTable.athenaLocation("s3://b/p/t")).isEqualTo("s3://b/p/t");
    assertThat(GlueTable.athenaLocation("file:/tmp/lake/t")).isEqualTo("file:/tmp/lake/t");
  }

  @Test
  void databasesDefaultToTheLayersWithTheSystemOnesRenamed() {
    assertThat(GlueDatabases.resolve(Map.of()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                Layer.BRONZE, "bronze",
                Layer.SILVER, "silver",
                Layer.GOLD, "gold",
                Layer.SYSTEM, "medallion_system"));
    assertThat(GlueDatabases.resolve(Map.of("gold", "dev_gold", "_system", "dev_system")))
        .containsEntry(Layer.GOLD, "dev_gold")
        .containsEntry(Layer.SYSTEM, "dev_system")
        .containsEntry(Layer.BRONZE, "bronze");
  }

  @Test
  void anUnknownLayerOrABadDatabaseNameIsRefusedWithTheFix() {
    assertThatThrownBy(() -> GlueDatabases.resolve(Map.of("platinum", "x")))
        .isInstanceOf(OptionException.class)
        .hasMessageContaining("--glue-database platinum=x names no layer.")
        .extracting(e -> ((OptionException) e).fix())
        .isEqualTo(
            "Name one of the layers: bronze, silver, gold, _system, such as --glue-database"
                + " gold=dev_gold.");
    assertThatThrownBy(() -> GlueDatabases.resolve(Map.of("gold", "Dev-Gold")))
        .isInstanceOf(OptionException.class)
        .hasMessageContaining("--glue-database gold='Dev-Gold' is not a Glue database name.");
  }

  @Test
  void glueNeedsALakeOnS3AndAKnownCatalogName() {
    assertThat(CatalogTarget.parse(null, Map.of(), LakeLayout.of("/tmp/lake")).name())
        .isEqualTo("none");
    assertThat(CatalogTarget.parse("glue", Map.of(), LakeLayout.of("s3a://b/lake")).name())
        .isEqualTo("glue");
    assertThatThrownBy(() -> CatalogTarget.parse("hive", Map.of(), LakeLayout.of("/tmp/lake")))
        .isInstanceOf(OptionException.class)
        .hasMessageContaining("--catalog 'hive' is not a catalog.");
    assertThatThrownBy(() -> CatalogTarget.parse("glue", Map.of(), LakeLayout.of("/tmp/lake")))
        .isInstanceOf(OptionException.class)
        .hasMessageContaining("--catalog glue registers tables on S3");
  }
}
