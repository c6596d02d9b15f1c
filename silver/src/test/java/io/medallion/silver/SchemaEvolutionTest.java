package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Which type changes widen a column, and how a change between two schemas is described. */
class SchemaEvolutionTest {
  private static boolean widens(String from, String to) {
    return SchemaEvolution.widens(DataType.fromDDL(from), DataType.fromDDL(to));
  }

  @Test
  void integersWidenToWiderIntegersAndTo32BitSafeDoubles() {
    assertThat(widens("tinyint", "smallint")).isTrue();
    assertThat(widens("tinyint", "bigint")).isTrue();
    assertThat(widens("smallint", "int")).isTrue();
    assertThat(widens("int", "bigint")).isTrue();
    assertThat(widens("int", "double")).isTrue();
    assertThat(widens("bigint", "double")).as("a long may not fit a double exactly").isFalse();
    assertThat(widens("bigint", "int")).isFalse();
    assertThat(widens("int", "smallint")).isFalse();
    assertThat(widens("int", "float")).isFalse();
  }

  @Test
  void floatsDatesAndDecimalsWidenOnlyWithoutLoss() {
    assertThat(widens("float", "double")).isTrue();
    assertThat(widens("double", "float")).isFalse();
    assertThat(widens("date", "timestamp")).isTrue();
    assertThat(widens("date", "timestamp_ntz")).isTrue();
    assertThat(widens("timestamp", "date")).isFalse();
    assertThat(widens("decimal(10,2)", "decimal(12,2)")).isTrue();
    assertThat(widens("decimal(10,2)", "decimal(12,4)")).isTrue();
    assertThat(widens("decimal(10,2)", "decimal(11,4)"))
        .as("one digit fewer before the point")
        .isFalse();
    assertThat(widens("decimal(10,2)", "decimal(11,3)")).isTrue();
    assertThat(widens("decimal(10,2)", "decimal(12,1)")).isFalse();
    assertThat(widens("int", "string")).isFalse();
    assertThat(widens("string", "int")).isFalse();
  }

  @Test
  void aChangeListsAddedWidenedAndIncompatibleColumns() {
    SchemaEvolution.Change change =
        SchemaEvolution.between(
            StructType.fromDDL("id string, n int, d date, gone string, s smallint"),
            StructType.fromDDL("ID string, n bigint, d timestamp, s tinyint, extra double"));

    assertThat(change.describe())
        .containsExactly(
            "added column extra (double)",
            "widened column n from int to bigint",
            "widened column d from date to timestamp");
    assertThat(change.incompatible())
        .containsExactly(
            "column 'gone' (string) is gone or renamed",
            "column 's' changes type from smallint to tinyint");
    assertThat(
            SchemaEvolution.between(StructType.fromDDL("a int"), StructType.fromDDL("A int"))
                .none())
        .isTrue();
  }
}
