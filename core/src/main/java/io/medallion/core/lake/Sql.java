package io.medallion.core.lake;

import java.util.List;

/** SQL text built from names and values, quoted one way everywhere. */
public final class Sql {
  private Sql() {}

  /** An identifier in backticks, a backtick in it doubled: {@code `event_time`}. */
  public static String identifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** Identifiers, each quoted. */
  public static List<String> identifiers(List<String> names) {
    return names.stream().map(Sql::identifier).toList();
  }

  /** A string literal in single quotes, backslashes and quotes escaped: {@code 'it\'s'}. */
  public static String literal(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The Delta table at {@code path}, as a table name: {@code delta.`/lake/silver/plays`}. */
  public static String deltaPath(String path) {
    return "delta." + identifier(path);
  }
}
