package io.medallion.core.spec;

import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.Expectation;
import io.medallion.core.spec.Pipeline.ExpectationAction;
import io.medallion.core.spec.Pipeline.Field;
import io.medallion.core.spec.Pipeline.Payload;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.Transform;
import io.medallion.core.spec.Pipeline.TransformKind;
import io.medallion.core.spec.Pipeline.Write;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.core.spec.PipelineSpec.ExpectationSpec;
import io.medallion.core.spec.PipelineSpec.PayloadSpec;
import io.medallion.core.spec.PipelineSpec.SilverOptions;
import io.medallion.core.spec.PipelineSpec.SilverSpec;
import io.medallion.core.spec.PipelineSpec.SilverTableSpec;
import io.medallion.core.spec.PipelineSpec.TransformSpec;
import io.medallion.core.spec.PipelineSpec.WriteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/**
 * Validates the silver section of a spec: sources, payload types, SQL that parses, rules and write
 * modes, so that a mistake is reported with its line before any data is touched. Names of columns
 * are checked later, when the engine analyses the queries against the real schemas.
 */
final class SilverLoader {
  static final int DEFAULT_MAX_FILES_PER_TRIGGER = 1000;

  private final PipelineLoader loader;

  SilverLoader(PipelineLoader loader) {
    this.loader = loader;
  }

  List<SilverTable> tables(SilverSpec silver, List<BronzeTable> bronzeTables) {
    if (silver == null || silver.tables() == null) {
      return List.of();
    }
    SilverOptions defaults =
        silver.defaults() == null ? new SilverOptions(null, null, null) : silver.defaults();
    List<SilverTable> tables = new ArrayList<>();
    for (Map.Entry<String, SilverTableSpec> e : silver.tables().entrySet()) {
      String key = "silver.tables." + e.getKey();
      loader.identifier(e.getKey(), key);
      if (e.getKey().equals(Pipeline.QUARANTINE_TABLE)) {
        throw loader.error(
            key,
            "'quarantine' is the shared table of rejected records, not a table to declare",
            "Rename the table; every silver table writes its rejects to silver.quarantine.");
      }
      SilverTableSpec t = loader.required(e.getValue(), key, "a table with a source and payload");
      tables.add(table(e.getKey(), key, t, defaults, bronzeTables));
    }
    return tables;
  }

  private SilverTable table(
      String name,
      String key,
      SilverTableSpec t,
      SilverOptions defaults,
      List<BronzeTable> bronzeTables) {
    String sourceName = loader.required(t.source(), key + ".source", "the name of a bronze table");
    String bare =
        sourceName.startsWith("bronze.") ? sourceName.substring("bronze.".length()) : sourceName;
    BronzeTable source =
        bronzeTables.stream()
            .filter(b -> b.name().equals(bare))
            .findFirst()
            .orElseThrow(
                () ->
                    loader.error(
                        key + ".source",
                        "unknown bronze table '" + sourceName + "'",
                        "Use one of: "
                            + bronzeTables.stream()
                                .map(BronzeTable::name)
                                .sorted()
                                .collect(Collectors.joining(", "))
                            + "."));
    Payload payload = payload(key + ".payload", t.payload());
    Transform transform = transform(key + ".transform", t.transform());
    List<Expectation> expectations = expectations(key + ".expectations", t.expectations());
    Write write = write(key + ".write", t.write(), payload);
    Duration interval =
        loader.duration(
            Resolved.of(
                PipelineLoader.DEFAULT_TRIGGER_INTERVAL,
                Resolved.at(key + ".trigger_interval", t.triggerInterval()),
                Resolved.at("silver.defaults.trigger_interval", defaults.triggerInterval())));
    Resolved<Integer> maxFiles =
        Resolved.of(
            DEFAULT_MAX_FILES_PER_TRIGGER,
            Resolved.at(key + ".max_files_per_trigger", t.maxFilesPerTrigger()),
            Resolved.at("silver.defaults.max_files_per_trigger", defaults.maxFilesPerTrigger()));
    if (maxFiles.value() < 1) {
      throw loader.error(
          maxFiles.key(), "max_files_per_trigger must be at least 1", "Use a positive number.");
    }
    return new SilverTable(
        name,
        source,
        t.description() == null ? "" : t.description(),
        payload,
        transform,
        expectations,
        write,
        interval,
        maxFiles.value(),
        null,
        loader.specPath(key),
        loader.onFailure(
            Resolved.at(key + ".on_failure", t.onFailure()),
            Resolved.at("silver.defaults.on_failure", defaults.onFailure())));
  }

  private Payload payload(String key, PayloadSpec p) {
    loader.required(p, key, "the payload's format and schema");
    String format = p.format() == null ? "json" : p.format();
    if (!format.equals("json")) {
      throw loader.error(
          key + ".format",
          "payload format '" + format + "' is not supported",
          "Use json (Avro with a schema registry is planned).");
    }
    Map<String, String> schema = loader.required(p.schema(), key + ".schema", "field: type lines");
    if (schema.isEmpty()) {
      throw loader.error(key + ".schema", "the schema has no fields", "Declare the fields.");
    }
    Set<String> required = new HashSet<>(p.required() == null ? List.of() : p.required());
    for (String r : required) {
      if (!schema.containsKey(r)) {
        throw loader.error(
            key + ".required",
            "required field '" + r + "' is not in the schema",
            "Use fields of the schema: " + String.join(", ", schema.keySet()) + ".");
      }
    }
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, String> f : schema.entrySet()) {
      String fieldKey = key + ".schema." + f.getKey();
      String type = loader.required(f.getValue(), fieldKey, "a Spark SQL type such as string");
      try {
        CatalystSqlParser$.MODULE$.parseDataType(type);
      } catch (Exception e) { // Spark's ParseException is checked in Java's eyes, not declared
        throw loader.error(
            fieldKey,
            "'" + type + "' is not a Spark SQL type",
            "Use a type such as string, int, bigint, double, boolean, timestamp, date or"
                + " array<string>.");
      }
      fields.add(new Field(f.getKey(), type.strip(), required.contains(f.getKey())));
    }
    return new Payload(format, fields, key + ".schema", line(key + ".schema"));
  }

  private Transform transform(String key, TransformSpec t) {
    if (t == null) {
      return Transform.NONE;
    }
    int given =
        (t.sql() != null ? 1 : 0) + (t.sqlFile() != null ? 1 : 0) + (t.className() != null ? 1 : 0);
    if (given != 1) {
      throw loader.error(
          key,
          "a transform needs exactly one of sql, sql_file and class",
          "Write the query inline (sql), in a file (sql_file), or name a Java class (class).");
    }
    if (t.className() != null) {
      return new Transform(
          TransformKind.CLASS, t.className(), key + ".class", line(key + ".class"));
    }
    String sqlKey = t.sql() != null ? key + ".sql" : key + ".sql_file";
    String sql = t.sql() != null ? t.sql() : loader.readSql(sqlKey, t.sqlFile());
    try {
      CatalystSqlParser$.MODULE$.parsePlan(sql);
    } catch (Exception e) { // Spark's ParseException is checked in Java's eyes, not declared
      throw loader.error(
          sqlKey,
          "the SQL does not parse: " + firstLine(e),
          "Fix the query; it reads the view input.");
    }
    return new Transform(TransformKind.SQL, sql, sqlKey, line(sqlKey));
  }

  private List<Expectation> expectations(String key, List<ExpectationSpec> specs) {
    if (specs == null) {
      return List.of();
    }
    List<Expectation> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      String ruleKey = key + "[" + i + "]";
      ExpectationSpec e = loader.required(specs.get(i), ruleKey, "a rule with a name and action");
      String name = loader.required(e.name(), ruleKey + ".name", "the rule's name");
      loader.identifier(name, ruleKey + ".name");
      if (!names.add(name)) {
        throw loader.error(
            ruleKey + ".name", "rule '" + name + "' is declared twice", "Give each rule a name.");
      }
      boolean row = e.rule() != null;
      boolean unique = e.unique() != null && !e.unique().isEmpty();
      if (row == unique) {
        throw loader.error(
            ruleKey,
            "rule '" + name + "' needs exactly one of rule and unique",
            "Write rule: <SQL condition> for a row rule, or unique: [columns] for a table rule.");
      }
      if (row) {
        expression(ruleKey + ".rule", e.rule());
      }
      String actionText = loader.required(e.action(), ruleKey + ".action", "what to do on failure");
      ExpectationAction action;
      try {
        action = ExpectationAction.valueOf(actionText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        throw loader.error(
            ruleKey + ".action",
            "unknown action '" + actionText + "'",
            "Use one of: warn, drop, quarantine, fail.");
      }
      rules.add(
          new Expectation(
              name,
              row ? e.rule().strip() : "",
              unique ? List.copyOf(e.unique()) : List.of(),
              action,
              ruleKey,
              line(ruleKey)));
    }
    return rules;
  }

  private Write write(String key, WriteSpec w, Payload payload) {
    loader.required(w, key, "the write mode and keys");
    String modeText = loader.required(w.mode(), key + ".mode", "append, scd1 or scd2");
    WriteMode mode =
        Arrays.stream(WriteMode.values())
            .filter(m -> m.name().equalsIgnoreCase(modeText))
            .findFirst()
            .orElseThrow(
                () ->
                    loader.error(
                        key + ".mode",
                        "unknown write mode '" + modeText + "'",
                        "Use append (insert new keys), scd1 (current row per key) or scd2 (history"
                            + " per key)."));
    List<String> keys = w.keys() == null ? List.of() : List.copyOf(w.keys());
    if (mode != WriteMode.APPEND && keys.isEmpty()) {
      throw loader.error(key + ".keys", mode + " needs keys", "Add keys: [the key columns].");
    }
    String sequenceBy = w.sequenceBy() == null ? "" : w.sequenceBy();
    if (mode != WriteMode.APPEND && sequenceBy.isEmpty()) {
      throw loader.error(
          key + ".sequence_by",
          mode + " needs sequence_by",
          "Name the column that orders changes to one key, such as seq.");
    }
    String effectiveAt = w.effectiveAt() == null ? "" : w.effectiveAt();
    if (mode == WriteMode.SCD2 && effectiveAt.isEmpty()) {
      throw loader.error(
          key + ".effective_at",
          "scd2 needs effective_at",
          "Name the timestamp column a version is valid from, such as updated_at.");
    }
    String deleteWhen = w.deleteWhen() == null ? "" : w.deleteWhen().strip();
    if (!deleteWhen.isEmpty()) {
      if (mode == WriteMode.APPEND) {
        throw loader.error(
            key + ".delete_when",
            "append tables do not apply deletes",
            "Use mode scd1 or scd2, or remove delete_when.");
      }
      expression(key + ".delete_when", deleteWhen);
    }
    List<String> partitionBy = w.partitionBy() == null ? List.of() : List.copyOf(w.partitionBy());
    String eventTime = w.eventTime() == null ? "" : w.eventTime().strip();
    if (!eventTime.isEmpty()) {
      if (mode != WriteMode.APPEND || keys.isEmpty()) {
        throw loader.error(
            key + ".event_time",
            "event_time bounds the de-duplication of an append table by key",
            "Remove event_time, or use mode append with keys.");
      }
      Map<String, String> types = new HashMap<>();
      payload.fields().forEach(f -> types.put(f.name(), f.type().strip().toLowerCase(Locale.ROOT)));
      if (!"timestamp".equals(types.get(eventTime))) {
        throw loader.error(
            key + ".event_time",
            "event_time '" + eventTime + "' is not a timestamp field of the payload",
            "Name the payload's event-time field (type timestamp), which the transform passes"
                + " through unchanged.");
      }
      for (String k : keys) {
        if (!types.containsKey(k)) {
          throw loader.error(
              key + ".keys",
              "key '"
                  + k
                  + "' is not a field of the payload, so a record's key cannot be read"
                  + " before it is transformed",
              "With event_time, use keys that are payload fields the transform passes through"
                  + " unchanged; or remove event_time to check every batch against the table.");
        }
      }
    }
    if (w.dedupeWithin() != null && eventTime.isEmpty()) {
      throw loader.error(
          key + ".dedupe_within",
          "dedupe_within needs event_time: the horizon is measured on a record's event time",
          "Add event_time: <the payload's timestamp field>, or remove dedupe_within.");
    }
    Duration within =
        w.dedupeWithin() == null
            ? Write.DEFAULT_DEDUPE_WITHIN
            : loader.duration(new Resolved<>(w.dedupeWithin(), key + ".dedupe_within"));
    if (within.isZero() || within.isNegative()) {
      throw loader.error(
          key + ".dedupe_within",
          "dedupe_within must be longer than zero",
          "Use a horizon such as 7d: how late a re-sent record may arrive after its event time.");
    }
    return new Write(
        mode, keys, sequenceBy, effectiveAt, deleteWhen, partitionBy, eventTime, within);
  }

  private void expression(String key, String sql) {
    try {
      CatalystSqlParser$.MODULE$.parseExpression(sql);
    } catch (Exception e) { // Spark's ParseException is checked in Java's eyes, not declared
      throw loader.error(
          key, "the condition does not parse: " + firstLine(e), "Write a SQL boolean expression.");
    }
  }

  private int line(String key) {
    return loader.lineOf(key);
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage()).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
