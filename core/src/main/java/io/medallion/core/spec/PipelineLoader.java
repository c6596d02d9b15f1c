package io.medallion.core.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import io.medallion.core.spec.PipelineSpec.BronzeOptions;
import io.medallion.core.spec.PipelineSpec.BronzeTableSpec;
import io.medallion.core.spec.PipelineSpec.SourceSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a pipeline spec from YAML and validates it before any data is touched.
 *
 * <p>Every problem is reported as a {@link SpecException} naming the file, the line, the key and a
 * fix: unknown keys (with the valid ones), wrong types, missing fields, dangling references.
 */
public final class PipelineLoader {
  /** Built-in defaults, used when neither a table nor the layer's {@code defaults} set a value. */
  public static final StartingOffsets DEFAULT_STARTING_OFFSETS = StartingOffsets.EARLIEST;

  public static final long DEFAULT_MAX_OFFSETS_PER_TRIGGER = 200_000L;
  public static final boolean DEFAULT_FAIL_ON_DATA_LOSS = true;
  public static final String DEFAULT_TRIGGER_INTERVAL = "5s";

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final List<String> FORMATS = List.of("json");

  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder(YAML)
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private final Path specPath;
  private final Path specFolder;
  private final SpecLocations locations;

  private PipelineLoader(Path path, Path specFolder, SpecLocations locations) {
    this.specPath = path;
    this.specFolder = specFolder;
    this.locations = locations;
  }

  private static Path folderOf(Path path) {
    Path parent = path.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  /** Loads and validates the spec at {@code path}. */
  public static Pipeline load(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new MedallionException(
          "Pipeline spec " + path + " does not exist.",
          "Pass an existing file with --pipeline, or leave it out to use the reference pipeline"
              + " pipelines/engagement/pipeline.yaml.");
    } catch (IOException e) {
      throw new MedallionException(
          "Cannot read pipeline spec " + path + ": " + e.getMessage(),
          "Check that the file is readable.",
          e);
    }
    return parse(path, text);
  }

  /**
   * Loads and validates a spec from a URI that Hadoop reads, such as {@code s3://bucket/spec.yaml}
   * on a cluster. Its SQL must be inline: {@code sql_file} resolves against local folders only.
   */
  public static Pipeline load(URI location) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
    try (var in = path.getFileSystem(new org.apache.hadoop.conf.Configuration()).open(path)) {
      return parse(
          Path.of(location.getPath()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (java.io.FileNotFoundException e) {
      throw new MedallionException(
          "Pipeline spec " + location + " does not exist.",
          "Check the URI passed with --pipeline.");
    } catch (IOException e) {
      throw new MedallionException(
          "Cannot read pipeline spec " + location + ": " + e.getMessage(),
          "Check the URI and the credentials for its file system.",
          e);
    }
  }

  /** Parses and validates spec text; {@code path} names it in errors and anchors SQL files. */
  public static Pipeline parse(Path path, String yaml) {
    PipelineLoader loader =
        new PipelineLoader(path, folderOf(path), YamlLocations.index(YAML, path.toString(), yaml));
    if (yaml.isBlank()) {
      throw loader.error("", "the spec is empty", "Start from pipelines/engagement/pipeline.yaml.");
    }
    PipelineSpec spec;
    try {
      spec = MAPPER.readValue(yaml, PipelineSpec.class);
    } catch (JsonProcessingException e) {
      throw loader.fromJackson(e);
    }
    return loader.validate(path, spec);
  }

  /**
   * Validates a spec built in code, as a YAML one is validated.
   *
   * @param path names the pipeline (its {@link Pipeline#file()})
   * @param sqlFolder where {@code sql_file} names are resolved
   * @param locations where each key was set, for errors
   */
  public static Pipeline validate(
      PipelineSpec spec, Path path, Path sqlFolder, SpecLocations locations) {
    return new PipelineLoader(path, sqlFolder, locations).validate(path, spec);
  }

  private Pipeline validate(Path path, PipelineSpec spec) {
    String name = required(spec.name(), "name", "a lower-case identifier such as engagement");
    identifier(name, "name");

    Map<String, SourceSpec> sourceSpecs = required(spec.sources(), "sources", "a map of sources");
    if (sourceSpecs.isEmpty()) {
      throw error("sources", "no sources are declared", "Declare at least one Kafka source.");
    }
    Map<String, Pipeline.Source> sources = new HashMap<>();
    List<Pipeline.Source> sourceList = new ArrayList<>();
    for (Map.Entry<String, SourceSpec> e : sourceSpecs.entrySet()) {
      String key = "sources." + e.getKey();
      identifier(e.getKey(), key);
      SourceSpec s = required(e.getValue(), key, "a source with at least a topic");
      String topic = required(s.topic(), key + ".topic", "the Kafka topic name");
      if (!TOPIC.matcher(topic).matches()) {
        throw error(
            key + ".topic",
            "'" + topic + "' is not a valid Kafka topic name",
            "Use 1 to 249 letters, digits, '.', '_' or '-'.");
      }
      int partitions = s.partitions() == null ? 1 : s.partitions();
      if (partitions < 1) {
        throw error(key + ".partitions", "partitions must be at least 1", "Set partitions: 1.");
      }
      String format = s.format() == null ? "json" : s.format();
      if (!FORMATS.contains(format)) {
        throw error(
            key + ".format",
            "format '" + format + "' is not supported",
            "Use one of: " + String.join(", ", FORMATS) + ".");
      }
      Pipeline.Source source = new Pipeline.Source(e.getKey(), topic, partitions, format);
      sources.put(e.getKey(), source);
      sourceList.add(source);
    }

    PipelineSpec.BronzeSpec bronze =
        required(spec.bronze(), "bronze", "a bronze section with tables");
    Map<String, BronzeTableSpec> tableSpecs =
        required(bronze.tables(), "bronze.tables", "a map of bronze tables");
    if (tableSpecs.isEmpty()) {
      throw error(
          "bronze.tables", "no bronze tables are declared", "Declare one table per source.");
    }
    BronzeOptions defaults =
        bronze.defaults() == null
            ? new BronzeOptions(null, null, null, null, null)
            : bronze.defaults();
    Map<String, String> tableBySource = new HashMap<>();
    List<Pipeline.BronzeTable> tables = new ArrayList<>();
    for (Map.Entry<String, BronzeTableSpec> e : tableSpecs.entrySet()) {
      String key = "bronze.tables." + e.getKey();
      identifier(e.getKey(), key);
      BronzeTableSpec t = required(e.getValue(), key, "a table with at least a source");
      String sourceName = required(t.source(), key + ".source", "the name of a source");
      Pipeline.Source source = sources.get(sourceName);
      if (source == null) {
        throw error(
            key + ".source",
            "unknown source '" + sourceName + "'",
            "Use one of the declared sources: " + choices(sources.keySet()) + ".");
      }
      String previous = tableBySource.putIfAbsent(sourceName, e.getKey());
      if (previous != null) {
        throw error(
            key + ".source",
            "source '" + sourceName + "' already feeds bronze table '" + previous + "'",
            "Land each source in exactly one bronze table.");
      }
      tables.add(
          new Pipeline.BronzeTable(
              e.getKey(),
              source,
              startingOffsets(t, defaults, key),
              maxOffsets(t, defaults, key),
              Resolved.of(
                      DEFAULT_FAIL_ON_DATA_LOSS,
                      Resolved.at(key + ".fail_on_data_loss", t.failOnDataLoss()),
                      Resolved.at("bronze.defaults.fail_on_data_loss", defaults.failOnDataLoss()))
                  .value(),
              triggerInterval(t, defaults, key),
              null,
              onFailure(
                  Resolved.at(key + ".on_failure", t.onFailure()),
                  Resolved.at("bronze.defaults.on_failure", defaults.onFailure()))));
    }
    List<Pipeline.SilverTable> silverTables = new SilverLoader(this).tables(spec.silver(), tables);
    java.util.Set<String> known = new java.util.LinkedHashSet<>();
    tables.forEach(t -> known.add(t.qualifiedName()));
    silverTables.forEach(t -> known.add(t.qualifiedName()));
    known.add("silver." + Pipeline.QUARANTINE_TABLE);
    known.addAll(Pipeline.SYSTEM_TABLES);
    List<Pipeline.GoldTable> goldTables = new GoldLoader(this).tables(spec.gold(), known);
    List<String> maintained = new ArrayList<>();
    tables.forEach(t -> maintained.add(t.qualifiedName()));
    silverTables.forEach(t -> maintained.add(t.qualifiedName()));
    maintained.add("silver." + Pipeline.QUARANTINE_TABLE);
    goldTables.forEach(t -> maintained.add(t.qualifiedName()));
    maintained.addAll(Pipeline.SYSTEM_TABLES);
    return new Pipeline(
            path,
            name,
            spec.description() == null ? "" : spec.description(),
            sourceList,
            tables,
            silverTables,
            goldTables,
            new MaintenanceLoader(this).policies(spec.maintenance(), maintained))
        .withMaintenance();
  }

  /** The file that declares the key at {@code key}: the spec, or a builder's source file. */
  Path specPath(String key) {
    String file = locations.file(key);
    return file == null || file.equals(specPath.toString()) ? specPath : Path.of(file);
  }

  private StartingOffsets startingOffsets(
      BronzeTableSpec t, BronzeOptions defaults, String tableKey) {
    Resolved<String> text =
        Resolved.of(
            null,
            Resolved.at(tableKey + ".starting_offsets", t.startingOffsets()),
            Resolved.at("bronze.defaults.starting_offsets", defaults.startingOffsets()));
    if (text.builtIn()) {
      return DEFAULT_STARTING_OFFSETS;
    }
    return StartingOffsets.parse(text.value())
        .orElseThrow(
            () ->
                error(
                    text.key(),
                    "'" + text.value() + "' is not a starting position",
                    "Use earliest, latest or an ISO-8601 instant such as 2026-01-31T00:00:00Z."));
  }

  private long maxOffsets(BronzeTableSpec t, BronzeOptions defaults, String tableKey) {
    Resolved<Long> value =
        Resolved.of(
            DEFAULT_MAX_OFFSETS_PER_TRIGGER,
            Resolved.at(tableKey + ".max_offsets_per_trigger", t.maxOffsetsPerTrigger()),
            Resolved.at(
                "bronze.defaults.max_offsets_per_trigger", defaults.maxOffsetsPerTrigger()));
    if (value.value() < 1) {
      throw error(
          value.key(), "max_offsets_per_trigger must be at least 1", "Use a positive number.");
    }
    return value.value();
  }

  private Duration triggerInterval(BronzeTableSpec t, BronzeOptions defaults, String tableKey) {
    return duration(
        Resolved.of(
            DEFAULT_TRIGGER_INTERVAL,
            Resolved.at(tableKey + ".trigger_interval", t.triggerInterval()),
            Resolved.at("bronze.defaults.trigger_interval", defaults.triggerInterval())));
  }

  /**
   * What a continuous run does when a table's query fails, from the table's key, else its layer's
   * default, else {@code stop}.
   */
  @SafeVarargs
  final Pipeline.OnFailure onFailure(Resolved.Level<String>... keys) {
    Resolved<String> text = Resolved.of("stop", keys);
    return switch (text.value()) {
      case "stop" -> Pipeline.OnFailure.STOP;
      case "restart" -> Pipeline.OnFailure.RESTART;
      default ->
          throw error(
              text.key(),
              "'" + text.value() + "' is not a failure policy",
              "Use stop (a failed query stops the run) or restart (it is restarted with backoff"
                  + " while the other tables go on).");
    };
  }

  /** A trigger interval as resolved: its value parsed, or an error at the key that set it. */
  Duration duration(Resolved<String> text) {
    return Durations.parse(text.value())
        .orElseThrow(
            () ->
                error(
                    text.key(),
                    "'" + text.value() + "' is not a duration",
                    "Write a number and a unit: 500ms, 5s, 1m, 1h or 7d."));
  }

  /** Reads a SQL file named in the spec, relative to the spec's folder. */
  String readSql(String key, String sqlFile) {
    Path path = specFolder.resolve(sqlFile).normalize();
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw error(
          key,
          "cannot read SQL file " + path + " (" + e.getClass().getSimpleName() + ")",
          "Name a file relative to the spec's folder " + specFolder + ".");
    }
  }

  <T> T required(T value, String key, String what) {
    if (value == null) {
      throw error(key, "'" + key + "' is missing", "Add " + key + ": " + what + ".");
    }
    return value;
  }

  void identifier(String value, String key) {
    if (!IDENTIFIER.matcher(value).matches()) {
      throw error(
          key,
          "'" + value + "' is not a valid name",
          "Use a lower-case letter followed by lower-case letters, digits or '_'.");
    }
  }

  SpecException error(String key, String problem, String fix) {
    return new SpecException(locations.file(key), locations.lineOf(key), key, problem, fix);
  }

  int lineOf(String key) {
    return locations.lineOf(key);
  }

  private SpecException fromJackson(JsonProcessingException e) {
    String file = specPath.toString();
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    if (!(e instanceof JsonMappingException mapping)) {
      return new SpecException(
          file,
          line,
          "",
          "not valid YAML: " + e.getOriginalMessage(),
          "Fix the YAML syntax at that line (indentation, a missing ':' or quote).");
    }
    String key = path(mapping);
    // Jackson reports where it noticed the problem, which can be lines later; the key knows better.
    int keyLine = locations.lineOf(key);
    if (keyLine > 0) {
      line = keyLine;
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      List<String> valid =
          unknown.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.toList());
      String nearest = nearest(unknown.getPropertyName(), valid);
      String fix =
          (nearest == null ? "" : "Did you mean '" + nearest + "'? ")
              + "Valid keys here: "
              + String.join(", ", valid)
              + ".";
      return new SpecException(
          file, line, key, "unknown key '" + unknown.getPropertyName() + "'", fix);
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return new SpecException(
          file,
          line,
          key,
          "expected " + describe(mismatch.getTargetType()) + " here",
          "Write a " + describe(mismatch.getTargetType()) + " value for '" + key + "'.");
    }
    return new SpecException(
        file, line, key, e.getOriginalMessage(), "Check the value against the spec reference.");
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true/false";
    }
    if (type == String.class) {
      return "text";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "mapping (key: value lines)";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "list";
    }
    return type.getSimpleName();
  }

  private static String choices(Collection<String> names) {
    return names.stream().sorted().collect(Collectors.joining(", "));
  }

  /** The valid key closest to a misspelt one, if it is close enough to be a typo. */
  public static String nearest(String typo, List<String> valid) {
    return valid.stream()
        .min(Comparator.comparingInt(v -> editDistance(typo, v)))
        .filter(v -> editDistance(typo, v) <= Math.max(2, typo.length() / 3))
        .orElse(null);
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
