package io.medallion.silver;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.SpecException;
import io.medallion.core.lake.Sql;
import io.medallion.core.spec.Pipeline.SilverTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a silver table's columns follow its spec: a column the spec adds (a payload field, a column
 * of the transform) is added to the table, null in the rows it holds; a column removed or renamed,
 * or a type changed, is refused with the spec's location and the command that rebuilds the table.
 */
final class SchemaEvolution {
  /**
   * What changed between a table's columns and the columns its spec now gives.
   *
   * @param added columns of the spec the table lacks
   * @param incompatible one line per removed column or changed type
   */
  record Change(List<StructField> added, List<String> incompatible) {
    boolean none() {
      return added.isEmpty() && incompatible.isEmpty();
    }
  }

  private SchemaEvolution() {}

  /** Compares by name, case-insensitively, as Spark resolves columns; nullability aside. */
  static Change between(StructType current, StructType wanted) {
    Map<String, StructField> now = byName(current);
    Map<String, StructField> then = byName(wanted);
    List<StructField> added = new ArrayList<>();
    List<String> incompatible = new ArrayList<>();
    for (StructField f : current.fields()) {
      StructField w = then.get(key(f.name()));
      if (w == null) {
        incompatible.add(
            "column '" + f.name() + "' (" + f.dataType().simpleString() + ") is gone or renamed");
      } else if (!w.dataType().sameType(f.dataType())) {
        incompatible.add(
            "column '"
                + f.name()
                + "' changes type from "
                + f.dataType().simpleString()
                + " to "
                + w.dataType().simpleString());
      }
    }
    for (StructField f : wanted.fields()) {
      if (!now.containsKey(key(f.name()))) {
        added.add(f);
      }
    }
    return new Change(added, incompatible);
  }

  /**
   * Brings an existing table's columns to {@code wanted}: adds new columns, refuses incompatible
   * changes. Does nothing to a table that does not exist yet.
   *
   * @return the columns added
   */
  static List<String> evolve(
      SparkSession spark, String path, StructType wanted, SilverTable table) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return List.of();
    }
    Change change = between(DeltaTable.forPath(spark, path).toDF().schema(), wanted);
    if (!change.incompatible().isEmpty()) {
      throw new SpecException(
          table.specFile().toString(),
          table.payload().specLine(),
          table.payload().specKey(),
          "the columns of "
              + table.qualifiedName()
              + " no longer fit the table at "
              + path
              + ": "
              + String.join("; ", change.incompatible()),
          "Rebuild the table with the new columns: ./lakehouse refine --full-refresh --table "
              + table.name()
              + " (it clears the table, its quarantined rows and records, then refines all of"
              + " bronze again); or undo the change in the spec.");
    }
    if (change.added().isEmpty()) {
      return List.of();
    }
    spark.sql(
        "ALTER TABLE delta."
            + Sql.identifier(path)
            + " ADD COLUMNS ("
            + change.added().stream()
                .map(f -> Sql.identifier(f.name()) + " " + f.dataType().sql())
                .collect(Collectors.joining(", "))
            + ")");
    return change.added().stream().map(StructField::name).toList();
  }

  private static Map<String, StructField> byName(StructType schema) {
    return Arrays.stream(schema.fields())
        .collect(Collectors.toMap(f -> key(f.name()), Function.identity(), (a, b) -> a));
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
