package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * How a silver table's columns follow its spec: a column the spec adds (a payload field, a column
 * of the transform) is added to the table, null in the rows it holds; a column whose type the spec
 * widens (int to bigint, float to double, date to timestamp, a larger decimal) is widened by
 * rewriting the table's files with the wider type, so that every reader, Athena included, reads
 * plain Parquet of the type the schema names; a column removed or renamed, or a type narrowed or
 * changed otherwise, is refused with the spec's location and the command that rebuilds the table.
 */
final class SchemaEvolution {
  /**
   * What changed between a table's columns and the columns its spec now gives.
   *
   * @param added columns of the spec the table lacks
   * @param widened columns whose type the spec widens
   * @param incompatible one line per removed column or type changed otherwise
   */
  record Change(List<StructField> added, List<Widened> widened, List<String> incompatible) {
    boolean none() {
      return added.isEmpty() && widened.isEmpty() && incompatible.isEmpty();
    }

    /** One line per applicable change: {@code added column device (string)}, ... */
    List<String> describe() {
      List<String> lines = new ArrayList<>();
      added.forEach(
          f -> lines.add("added column " + f.name() + " (" + f.dataType().simpleString() + ")"));
      widened.forEach(
          w ->
              lines.add(
                  "widened column "
                      + w.column()
                      + " from "
                      + w.from().simpleString()
                      + " to "
                      + w.to().simpleString()));
      return lines;
    }
  }

  /** A column whose type widens: every value it holds has the same value in the wider type. */
  record Widened(String column, DataType from, DataType to) {}

  private SchemaEvolution() {}

  /** Compares by name, case-insensitively, as Spark resolves columns; nullability aside. */
  static Change between(StructType current, StructType wanted) {
    Map<String, StructField> now = byName(current);
    Map<String, StructField> then = byName(wanted);
    List<StructField> added = new ArrayList<>();
    List<Widened> widened = new ArrayList<>();
    List<String> incompatible = new ArrayList<>();
    for (StructField f : current.fields()) {
      StructField w = then.get(key(f.name()));
      if (w == null) {
        incompatible.add(
            "column '" + f.name() + "' (" + f.dataType().simpleString() + ") is gone or renamed");
      } else if (w.dataType().sameType(f.dataType())) {
        continue;
      } else if (widens(f.dataType(), w.dataType())) {
        widened.add(new Widened(f.name(), f.dataType(), w.dataType()));
      } else {
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
    return new Change(added, widened, incompatible);
  }

  /**
   * Whether every value of {@code from} converts exactly to {@code to}: the integer types to a
   * wider integer or to double, float to double, date to timestamp, a decimal to one with at least
   * as many digits on both sides of the point. Delta's own type widening allows these too, but as a
   * table feature other readers must support; rewriting the files needs no feature.
   */
  static boolean widens(DataType from, DataType to) {
    int fromRank = integerRank(from);
    int toRank = integerRank(to);
    if (fromRank > 0 && toRank > fromRank) {
      return true;
    }
    if (fromRank > 0 && fromRank <= 3 && to instanceof DoubleType) {
      return true; // a 32-bit integer fits a double's 53-bit mantissa; a long does not
    }
    if (from instanceof FloatType && to instanceof DoubleType) {
      return true;
    }
    if (from instanceof DateType
        && (to instanceof TimestampType || to instanceof TimestampNTZType)) {
      return true;
    }
    if (from instanceof DecimalType f && to instanceof DecimalType t) {
      return t.scale() >= f.scale() && t.precision() - t.scale() >= f.precision() - f.scale();
    }
    return false;
  }

  /** 1 byte, 2 short, 3 int, 4 long; 0 for any other type. */
  private static int integerRank(DataType type) {
    if (type instanceof ByteType) {
      return 1;
    }
    if (type instanceof ShortType) {
      return 2;
    }
    if (type instanceof IntegerType) {
      return 3;
    }
    return type instanceof LongType ? 4 : 0;
  }

  /**
   * Brings an existing table's columns to {@code wanted}: adds new columns, widens widened ones,
   * refuses incompatible changes before changing anything. Does nothing to a table that does not
   * exist yet.
   *
   * @return what changed (none for a table that fits)
   */
  static Change evolve(SparkSession spark, String path, StructType wanted, SilverTable table) {
    Change change = check(spark, path, wanted, table);
    if (!change.widened().isEmpty()) {
      rewriteWidened(DeltaTable.forPath(spark, path).toDF(), path, change);
    } else if (!change.added().isEmpty()) {
      addColumns(spark, path, change.added());
    }
    return change;
  }

  /**
   * What {@link #evolve} would change in the table at {@code path}, changing nothing.
   *
   * @throws SpecException for an incompatible change: the spec's location, what changed, and the
   *     command that rebuilds the table
   */
  static Change check(SparkSession spark, String path, StructType wanted, SilverTable table) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return new Change(List.of(), List.of(), List.of());
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
    return change;
  }

  /**
   * Rewrites every file of the table with the wider types and the added columns (null), in one
   * overwrite commit that keeps the table's partitioning and properties. Streaming readers that
   * skip change commits (the gold tables) skip it: no value changes.
   */
  private static void rewriteWidened(Dataset<Row> rows, String path, Change change) {
    Map<String, Widened> widened =
        change.widened().stream()
            .collect(Collectors.toMap(w -> key(w.column()), Function.identity()));
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Widened w = widened.get(key(f.name()));
      Column c = col(Sql.identifier(f.name()));
      columns.add(w == null ? c : c.cast(w.to()).as(f.name()));
    }
    for (StructField f : change.added()) {
      columns.add(lit(null).cast(f.dataType()).as(f.name()));
    }
    String[] partitions =
        DeltaTable.forPath(rows.sparkSession(), path)
            .detail()
            .select("partitionColumns")
            .first()
            .<String>getList(0)
            .toArray(String[]::new);
    rows.select(columns.toArray(Column[]::new))
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .partitionBy(partitions)
        .save(path);
  }

  private static void addColumns(SparkSession spark, String path, List<StructField> added) {
    spark.sql(
        "ALTER TABLE delta."
            + Sql.identifier(path)
            + " ADD COLUMNS ("
            + added.stream()
                .map(f -> Sql.identifier(f.name()) + " " + f.dataType().sql())
                .collect(Collectors.joining(", "))
            + ")");
  }

  private static Map<String, StructField> byName(StructType schema) {
    return Arrays.stream(schema.fields())
        .collect(Collectors.toMap(f -> key(f.name()), Function.identity(), (a, b) -> a));
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
