package io.medallion.workbench.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** How the SQL shell prints a result: an aligned table, CSV (RFC 4180) or a JSON array. */
public enum ResultFormat {
  TABLE,
  CSV,
  JSON;

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  /** Prints the rows; {@code truncated} says more rows exist than are printed. */
  void print(StructType schema, List<Row> rows, boolean truncated, PrintWriter out) {
    String[] names = schema.fieldNames();
    switch (this) {
      case TABLE -> table(names, rows, truncated, out);
      case CSV -> {
        out.println(csvLine(List.of(names)));
        for (Row r : rows) {
          List<String> cells = new ArrayList<>();
          for (int i = 0; i < names.length; i++) {
            cells.add(r.isNullAt(i) ? "" : text(r.get(i)));
          }
          out.println(csvLine(cells));
        }
      }
      case JSON -> {
        ArrayNode array = JSON_MAPPER.createArrayNode();
        for (Row r : rows) {
          ObjectNode o = array.addObject();
          for (int i = 0; i < names.length; i++) {
            Object v = r.isNullAt(i) ? null : r.get(i);
            if (v == null) {
              o.putNull(names[i]);
            } else if (v instanceof Long l) {
              o.put(names[i], l);
            } else if (v instanceof Integer n) {
              o.put(names[i], n);
            } else if (v instanceof Double d) {
              o.put(names[i], d);
            } else if (v instanceof Float f) {
              o.put(names[i], f);
            } else if (v instanceof BigDecimal b) {
              o.put(names[i], b);
            } else if (v instanceof Boolean b) {
              o.put(names[i], b);
            } else {
              o.put(names[i], text(v));
            }
          }
        }
        try {
          out.println(JSON_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    out.flush();
  }

  private static void table(String[] names, List<Row> rows, boolean truncated, PrintWriter out) {
    int[] widths = new int[names.length];
    List<String[]> cells = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      widths[i] = names[i].length();
    }
    for (Row r : rows) {
      String[] line = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        line[i] = r.isNullAt(i) ? "NULL" : text(r.get(i));
        widths[i] = Math.max(widths[i], line[i].length());
      }
      cells.add(line);
    }
    out.println(line(names, widths));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
    }
    out.println(rule);
    for (String[] line : cells) {
      out.println(line(line, widths));
    }
    out.printf(
        "(%d row%s%s)%n",
        rows.size(),
        rows.size() == 1 ? "" : "s",
        truncated ? ", more not shown: raise --max-rows" : "");
  }

  private static String line(String[] values, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : " | ").append(String.format("%-" + widths[i] + "s", values[i]));
    }
    return b.toString().stripTrailing();
  }

  private static String csvLine(List<String> cells) {
    List<String> quoted = new ArrayList<>();
    for (String c : cells) {
      boolean needs = c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r");
      quoted.add(needs ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    return String.join(",", quoted);
  }

  /** A value as text: timestamps in ISO form (UTC), collections as Spark shows them. */
  private static String text(Object v) {
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant().toString();
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return seq.mkString("[", ", ", "]");
    }
    return String.valueOf(v);
  }
}
