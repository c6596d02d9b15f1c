package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.Sql;
import io.medallion.core.spec.Pipeline.Field;
import io.medallion.core.spec.Pipeline.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * Parses bronze values as JSON objects without ever failing: Spark 4 runs in ANSI mode, where a bad
 * cast throws, so every field is first read as text and then typed with {@code try_cast} (or {@code
 * from_json} for nested types). A record that cannot be typed gets a rule and a reason instead of
 * failing the batch:
 *
 * <ul>
 *   <li>{@code payload_empty}: a null (tombstone) or zero-length value;
 *   <li>{@code payload_not_utf8}: bytes that are not UTF-8 text (kept as base64);
 *   <li>{@code payload_malformed}: text that is not one JSON object;
 *   <li>{@code field_missing}: a required field absent or null;
 *   <li>{@code field_wrong_type}: a field whose value is not of its declared type.
 * </ul>
 */
final class JsonPayloadParser {
  /** The struct column holding a rejected record's rule and reason; null for a parsed record. */
  static final String REJECT = "__reject";

  private static final String TEXT = "__text";
  private static final String JSON = "__json";
  private static final String CORRUPT = "__corrupt";

  private final Payload payload;

  JsonPayloadParser(Payload payload) {
    this.payload = payload;
  }

  /**
   * Every bronze row, with the typed fields, the lineage and raw columns of {@link SilverColumns},
   * and {@link #REJECT}.
   */
  Dataset<Row> parse(Dataset<Row> bronze) {
    return parse(bronze, false);
  }

  /** Like {@link #parse(Dataset)}; with {@code keepValue}, the bronze value column stays too. */
  Dataset<Row> parse(Dataset<Row> bronze, boolean keepValue) {
    String value = BronzeContract.VALUE;
    Dataset<Row> text =
        bronze.select(
            col(BronzeContract.TOPIC).as(SilverColumns.SOURCE_TOPIC),
            col(BronzeContract.PARTITION).as(SilverColumns.SOURCE_PARTITION),
            col(BronzeContract.OFFSET).as(SilverColumns.SOURCE_OFFSET),
            col(BronzeContract.INGESTED_AT).as(SilverColumns.INGESTED_AT),
            col(value),
            expr("CASE WHEN is_valid_utf8(" + value + ") THEN CAST(" + value + " AS STRING) END")
                .as(TEXT));
    String textSchema =
        payload.fields().stream()
                .map(f -> quote(f.name()) + " STRING")
                .collect(Collectors.joining(", "))
            + ", "
            + CORRUPT
            + " STRING";
    Dataset<Row> json =
        text.withColumn(
            JSON,
            expr(
                "from_json("
                    + TEXT
                    + ", '"
                    + textSchema
                    + "', map('columnNameOfCorruptRecord', '"
                    + CORRUPT
                    + "'))"));
    List<Column> out = new ArrayList<>();
    for (Field f : payload.fields()) {
      out.add(expr(typed(f)).as(f.name()));
    }
    out.add(col(SilverColumns.SOURCE_TOPIC));
    out.add(col(SilverColumns.SOURCE_PARTITION));
    out.add(col(SilverColumns.SOURCE_OFFSET));
    out.add(col(SilverColumns.INGESTED_AT));
    out.add(
        expr("CASE WHEN "
                + value
                + " IS NULL THEN NULL WHEN "
                + TEXT
                + " IS NOT NULL THEN "
                + TEXT
                + " ELSE base64("
                + value
                + ") END")
            .as(SilverColumns.RAW));
    out.add(
        expr("CASE WHEN "
                + value
                + " IS NULL THEN NULL WHEN "
                + TEXT
                + " IS NOT NULL THEN 'utf8' ELSE 'base64' END")
            .as(SilverColumns.RAW_ENCODING));
    out.add(expr(rejection()).as(REJECT));
    if (keepValue) {
      out.add(col(value));
    }
    return json.select(out.toArray(Column[]::new));
  }

  /** The field typed: text as is, nested types through from_json, the rest by try_cast. */
  private static String typed(Field f) {
    String raw = JSON + "." + quote(f.name());
    DataType type = CatalystSqlParser$.MODULE$.parseDataType(f.type());
    if (type instanceof StringType) {
      return raw;
    }
    if (type instanceof ArrayType || type instanceof MapType || type instanceof StructType) {
      return "from_json(" + raw + ", '" + f.type() + "')";
    }
    return "try_cast(" + raw + " AS " + f.type() + ")";
  }

  /** One CASE that names the first reason a record cannot be typed, or null. */
  private String rejection() {
    String value = BronzeContract.VALUE;
    StringBuilder sql = new StringBuilder("CASE");
    when(sql, value + " IS NULL", "payload_empty", "'the value is null (a tombstone)'");
    when(sql, "length(" + value + ") = 0", "payload_empty", "'the value is empty'");
    when(
        sql,
        TEXT + " IS NULL",
        "payload_not_utf8",
        "concat('the value is not UTF-8 text (', length(" + value + "), ' bytes)')");
    when(
        sql,
        JSON + " IS NULL OR " + JSON + "." + CORRUPT + " IS NOT NULL",
        "payload_malformed",
        "concat('not a JSON object: ', " + excerpt(TEXT) + ")");
    for (Field f : payload.fields()) {
      if (f.required()) {
        when(
            sql,
            JSON + "." + quote(f.name()) + " IS NULL",
            "field_missing",
            "'required field " + f.name() + " is missing or null'");
      }
    }
    for (Field f : payload.fields()) {
      if (CatalystSqlParser$.MODULE$.parseDataType(f.type()) instanceof StringType) {
        continue;
      }
      String raw = JSON + "." + quote(f.name());
      when(
          sql,
          raw + " IS NOT NULL AND " + typed(f) + " IS NULL",
          "field_wrong_type",
          "concat('field "
              + f.name()
              + ": ', "
              + excerpt(raw)
              + ", ' is not a valid "
              + f.type()
              + "')");
    }
    return sql.append(" END").toString();
  }

  private static void when(StringBuilder sql, String condition, String rule, String reason) {
    sql.append(" WHEN ")
        .append(condition)
        .append(" THEN named_struct('rule', '")
        .append(rule)
        .append("', 'reason', ")
        .append(reason)
        .append(')');
  }

  /** The start of a text, enough to recognise it in a reason. */
  private static String excerpt(String column) {
    return "CASE WHEN length("
        + column
        + ") > 80 THEN concat(substr("
        + column
        + ", 1, 80), '...') ELSE "
        + column
        + " END";
  }

  static String quote(String name) {
    return Sql.identifier(name);
  }
}
