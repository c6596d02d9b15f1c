package io.medallion.silver;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.spec.Pipeline.Write;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a batch's accepted rows to a silver table, so that replaying the batch changes nothing.
 */
interface SilverWriter {
  /** Creates the table, and any state the writer keeps beside it, if missing. */
  void create(SparkSession spark, StructType rowSchema);

  /** The columns of the table this writer makes for rows of {@code rowSchema}. */
  default StructType tableSchema(StructType rowSchema) {
    return rowSchema;
  }

  /**
   * Works out what the batch changes, before anything is written.
   *
   * @param candidates valid rows, one per key (and sequence) of the batch
   * @param candidateCount how many
   * @param appId the Delta application id of this writer's run
   * @param version the batch's transaction version
   */
  Planned plan(Dataset<Row> candidates, long candidateCount, String appId, long version);

  /**
   * Works out a write that replaces the table's rows matching {@code range} (a SQL condition) with
   * {@code candidates}, all of which match it, in one commit: the rows outside the range stay, and
   * a candidate whose key they already hold is a duplicate.
   *
   * @throws UnsupportedOperationException for writers whose rows are not per record (SCD)
   */
  default Planned planReplacing(Dataset<Row> candidates, long candidateCount, String range) {
    throw new UnsupportedOperationException("only append tables replace a range of rows");
  }

  /**
   * A planned write.
   *
   * @param accepted rows the table takes (inserted, or applied as changes)
   * @param duplicates rows the table already holds
   * @param write performs the write
   * @param release frees what planning cached
   * @param conflicts rows whose key the table holds with a different payload (a uniqueness rule's
   *     failures, not duplicates), with the candidates' columns; null when there are none
   * @param conflictCount how many
   */
  record Planned(
      long accepted,
      long duplicates,
      Runnable write,
      Runnable release,
      Dataset<Row> conflicts,
      long conflictCount) {
    Planned(long accepted, long duplicates, Runnable write, Runnable release) {
      this(accepted, duplicates, write, release, null, 0);
    }
  }

  static SilverWriter of(Write write, String path, String sidePath, DeltaWriter delta) {
    return of(write, path, sidePath, delta, false);
  }

  /**
   * @param conflicts whether an append table tells a held key's re-send with a different payload (a
   *     conflict) from one with the same payload (a duplicate)
   */
  static SilverWriter of(
      Write write, String path, String sidePath, DeltaWriter delta, boolean conflicts) {
    return switch (write.mode()) {
      case APPEND -> new AppendWriter(write, path, delta, conflicts);
      case SCD1 -> new Scd1Writer(write, path, sidePath);
      case SCD2 -> new Scd2Writer(write, path);
    };
  }

  /** {@code t.k1 = s.k1 AND t.k2 = s.k2 ...} */
  static String keyMatch(List<String> keys, String left, String right) {
    return keys.stream()
        .map(
            k ->
                left
                    + "."
                    + JsonPayloadParser.quote(k)
                    + " = "
                    + right
                    + "."
                    + JsonPayloadParser.quote(k))
        .collect(Collectors.joining(" AND "));
  }

  /** Assignments of every column from the source alias {@code s}. */
  static Map<String, String> fromSource(String[] columns) {
    Map<String, String> assign = new LinkedHashMap<>();
    for (String c : columns) {
      assign.put(JsonPayloadParser.quote(c), "s." + JsonPayloadParser.quote(c));
    }
    return assign;
  }

  /** The SQL condition marking deletes, or false when the table has none. */
  static String isDelete(Write write) {
    return write.deleteWhen().isEmpty() ? "false" : "coalesce((" + write.deleteWhen() + "), false)";
  }
}
