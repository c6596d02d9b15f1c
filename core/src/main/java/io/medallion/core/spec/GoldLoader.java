package io.medallion.core.spec;

import io.medallion.core.spec.Pipeline.EventWindow;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.Refresh;
import io.medallion.core.spec.PipelineSpec.GoldOptions;
import io.medallion.core.spec.PipelineSpec.GoldSpec;
import io.medallion.core.spec.PipelineSpec.GoldTableSpec;
import io.medallion.core.spec.PipelineSpec.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/**
 * Validates the gold section: SQL that parses and reads only tables the spec declares, a refresh
 * strategy with what it needs, and no table that reads itself or forms a cycle.
 */
final class GoldLoader {
  static final String DEFAULT_TRIGGER_INTERVAL = "10s";

  /** A qualified table reference in a query: layer, a dot, a table name. */
  private static final Pattern REFERENCE =
      Pattern.compile("(?i)(?<![\\w.`])(bronze|silver|gold|_system)\\.([a-z_][a-z0-9_]*)\\b");

  private final PipelineLoader loader;

  GoldLoader(PipelineLoader loader) {
    this.loader = loader;
  }

  List<GoldTable> tables(GoldSpec gold, Set<String> knownTables) {
    if (gold == null || gold.tables() == null) {
      return List.of();
    }
    GoldOptions defaults = gold.defaults() == null ? new GoldOptions(null, null) : gold.defaults();
    Set<String> known = new LinkedHashSet<>(knownTables);
    gold.tables().keySet().forEach(name -> known.add("gold." + name));
    List<GoldTable> tables = new ArrayList<>();
    for (Map.Entry<String, GoldTableSpec> e : gold.tables().entrySet()) {
      String key = "gold.tables." + e.getKey();
      loader.identifier(e.getKey(), key);
      GoldTableSpec t = loader.required(e.getValue(), key, "a table with sql and refresh");
      tables.add(table(e.getKey(), key, t, defaults, known));
    }
    checkCycles(tables);
    return tables;
  }

  private GoldTable table(
      String name, String key, GoldTableSpec t, GoldOptions defaults, Set<String> known) {
    int given =
        (t.sql() != null ? 1 : 0) + (t.sqlFile() != null ? 1 : 0) + (t.className() != null ? 1 : 0);
    if (given != 1) {
      throw loader.error(
          key,
          "a gold table needs exactly one of sql, sql_file and class",
          "Write its query in one, or name the Java class that computes it.");
    }
    String sqlKey;
    String sql;
    List<String> sources;
    if (t.className() != null) {
      sqlKey = key + ".class";
      sql = "";
      sources = javaSources(name, key, t, known);
    } else {
      if (t.sources() != null) {
        throw loader.error(
            key + ".sources",
            "sources is for a table computed by a class; a query names its own",
            "Remove sources: the tables the query reads are its sources.");
      }
      sqlKey = t.sql() != null ? key + ".sql" : key + ".sql_file";
      sql = t.sql() != null ? t.sql() : loader.readSql(sqlKey, t.sqlFile());
      sources = querySources(name, sqlKey, sql, known);
    }
    String refreshText =
        loader.required(t.refresh(), key + ".refresh", "full, incremental or streaming");
    Refresh refresh;
    try {
      refresh = Refresh.valueOf(refreshText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException ex) {
      throw loader.error(
          key + ".refresh",
          "unknown refresh '" + refreshText + "'",
          "Use full (recompute all), incremental (recompute the slices new rows touch) or"
              + " streaming (incremental, continuously, with a watermark).");
    }
    String slice = t.slice() == null ? "" : t.slice();
    if (refresh != Refresh.FULL && slice.isEmpty()) {
      throw loader.error(
          key + ".slice",
          refreshText + " needs slice",
          "Name the DATE column present in every source and in the output, such as event_date.");
    }
    Duration watermark = Duration.ZERO;
    if (refresh == Refresh.STREAMING) {
      String text = loader.required(t.watermark(), key + ".watermark", "a lateness such as 10m");
      watermark =
          Durations.parse(text)
              .orElseThrow(
                  () ->
                      loader.error(
                          key + ".watermark",
                          "'" + text + "' is not a duration",
                          "Write a number and a unit: 30s, 10m or 1h."));
    }
    EventWindow window = window(key, t, refresh);
    Duration interval =
        loader.duration(
            Resolved.of(
                DEFAULT_TRIGGER_INTERVAL,
                Resolved.at(key + ".trigger_interval", t.triggerInterval()),
                Resolved.at("gold.defaults.trigger_interval", defaults.triggerInterval())));
    return new GoldTable(
        name,
        t.description() == null ? "" : t.description(),
        sql,
        t.className() == null ? "" : t.className(),
        List.copyOf(sources),
        refresh,
        slice,
        watermark,
        t.eventTime() == null ? "event_time" : t.eventTime(),
        window,
        t.partitionBy() == null ? List.of() : List.copyOf(t.partitionBy()),
        interval,
        sqlKey,
        loader.lineOf(sqlKey),
        null,
        loader.specPath(key),
        loader.onFailure(
            Resolved.at(key + ".on_failure", t.onFailure()),
            Resolved.at("gold.defaults.on_failure", defaults.onFailure())));
  }

  /** A streaming table's windows: a column of its output and a length that divides a day. */
  private EventWindow window(String key, GoldTableSpec t, Refresh refresh) {
    WindowSpec w = t.window();
    if (w == null) {
      return null;
    }
    if (refresh != Refresh.STREAMING) {
      throw loader.error(
          key + ".window",
          "window is for a streaming table: only a watermark closes windows",
          "Remove window, or use refresh: streaming with a watermark.");
    }
    String column =
        loader.required(w.column(), key + ".window.column", "the output's window start column");
    String text = loader.required(w.size(), key + ".window.size", "a window length such as 1h");
    Duration size =
        Durations.parse(text)
            .filter(d -> !d.isZero() && Duration.ofDays(1).toMillis() % d.toMillis() == 0)
            .orElseThrow(
                () ->
                    loader.error(
                        key + ".window.size",
                        "'" + text + "' is not a window length that divides a day",
                        "Use a length a day holds a whole number of: 15m, 1h, 6h or 1d."));
    return new EventWindow(column, size);
  }

  private List<String> querySources(String name, String sqlKey, String sql, Set<String> known) {
    try {
      CatalystSqlParser$.MODULE$.parsePlan(sql);
    } catch (Exception ex) { // Spark's ParseException is checked in Java's eyes, not declared
      String m = String.valueOf(ex.getMessage()).strip();
      throw loader.error(
          sqlKey,
          "the SQL does not parse: " + m.lines().findFirst().orElse(m),
          "Fix the query; it reads tables by qualified name, such as silver.plays.");
    }
    List<String> sources = new ArrayList<>();
    Matcher m = REFERENCE.matcher(sql);
    while (m.find()) {
      String ref = m.group(1).toLowerCase(Locale.ROOT) + "." + m.group(2).toLowerCase(Locale.ROOT);
      checkSource(name, sqlKey, "the query", ref, known);
      if (!sources.contains(ref)) {
        sources.add(ref);
      }
    }
    if (sources.isEmpty()) {
      throw loader.error(
          sqlKey,
          "the query reads no table by qualified name",
          "Name its sources with their layer, such as FROM silver.plays.");
    }
    return sources;
  }

  private List<String> javaSources(String name, String key, GoldTableSpec t, Set<String> known) {
    String sourcesKey = key + ".sources";
    List<String> sources =
        loader.required(
            t.sources(), sourcesKey, "the tables the class reads, such as [silver.plays]");
    if (sources.isEmpty()) {
      throw loader.error(
          sourcesKey,
          "the class reads no table",
          "Name the tables it reads, such as silver.plays.");
    }
    for (String ref : sources) {
      checkSource(name, sourcesKey, "the class", ref, known);
    }
    return List.copyOf(new LinkedHashSet<>(sources));
  }

  /** A source of gold table {@code name}, read by {@code reader}: declared, and not itself. */
  private void checkSource(String name, String key, String reader, String ref, Set<String> known) {
    if (!known.contains(ref)) {
      throw loader.error(
          key,
          reader + " reads " + ref + ", which the spec does not declare",
          "Use one of: " + String.join(", ", known) + ".");
    }
    if (ref.equals("gold." + name)) {
      throw loader.error(key, "gold." + name + " reads itself", "Read other tables only.");
    }
  }

  private void checkCycles(List<GoldTable> tables) {
    for (GoldTable start : tables) {
      List<String> path = new ArrayList<>();
      if (reaches(start.qualifiedName(), start, tables, path)) {
        throw loader.error(
            "gold.tables." + start.name(),
            "gold tables read each other in a cycle: "
                + start.qualifiedName()
                + " -> "
                + String.join(" -> ", path),
            "Break the cycle: a gold table may read silver and other gold tables, not itself.");
      }
    }
  }

  private static boolean reaches(
      String target, GoldTable from, List<GoldTable> all, List<String> path) {
    for (String source : from.sources()) {
      if (path.contains(source)) {
        continue;
      }
      path.add(source);
      if (source.equals(target)) {
        return true;
      }
      for (GoldTable next : all) {
        if (next.qualifiedName().equals(source) && reaches(target, next, all, path)) {
          return true;
        }
      }
      path.remove(path.size() - 1);
    }
    return false;
  }
}
