package io.medallion.core.spec;

import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableRef;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.PipelineSpec.MaintenanceOptions;
import io.medallion.core.spec.PipelineSpec.MaintenanceSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Resolves the maintenance section into one policy per table, most specific level first. */
final class MaintenanceLoader {
  static final String DEFAULT_TARGET_FILE_SIZE = "128MB";
  static final String DEFAULT_VACUUM_RETENTION = "168h";

  /**
   * The shortest retention allowed: Delta's own safety check. A shorter one could delete files a
   * streaming reader that is behind, or a long query, still has to read.
   */
  static final Duration MIN_VACUUM_RETENTION = Duration.ofHours(168);

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)", Pattern.CASE_INSENSITIVE);

  private static final MaintenanceOptions NONE = new MaintenanceOptions(null, null, null, null);

  private final PipelineLoader loader;

  MaintenanceLoader(PipelineLoader loader) {
    this.loader = loader;
  }

  Map<String, MaintenancePolicy> policies(MaintenanceSpec spec, List<String> tables) {
    MaintenanceSpec m = spec == null ? new MaintenanceSpec(null, null, null, null, null) : spec;
    Map<String, MaintenanceOptions> perTable = m.tables() == null ? Map.of() : m.tables();
    for (String name : perTable.keySet()) {
      if (!tables.contains(name)) {
        throw loader.error(
            "maintenance.tables." + name,
            "unknown table '" + name + "'",
            "Use a qualified name of this pipeline's tables: " + String.join(", ", tables) + ".");
      }
    }
    Map<String, MaintenancePolicy> policies = new LinkedHashMap<>();
    for (String table : tables) {
      Layer layerOf = TableRef.parse(table).layer();
      String layer = layerOf.folder();
      MaintenanceOptions layerOptions =
          switch (layerOf) {
            case BRONZE -> m.bronze();
            case SILVER -> m.silver();
            case GOLD -> m.gold();
            case SYSTEM -> null;
          };
      MaintenanceOptions t = orNone(perTable.get(table));
      MaintenanceOptions l = orNone(layerOptions);
      MaintenanceOptions d = orNone(m.defaults());
      String tableKey = "maintenance.tables." + table;
      String layerKey = "maintenance." + layer;
      Resolved<String> size =
          Resolved.of(
              DEFAULT_TARGET_FILE_SIZE,
              Resolved.at(tableKey + ".target_file_size", t.targetFileSize()),
              Resolved.at(layerKey + ".target_file_size", l.targetFileSize()),
              Resolved.at("maintenance.defaults.target_file_size", d.targetFileSize()));
      Resolved<String> retention =
          Resolved.of(
              DEFAULT_VACUUM_RETENTION,
              Resolved.at(tableKey + ".vacuum_retention", t.vacuumRetention()),
              Resolved.at(layerKey + ".vacuum_retention", l.vacuumRetention()),
              Resolved.at("maintenance.defaults.vacuum_retention", d.vacuumRetention()));
      Resolved<List<String>> zorder =
          Resolved.of(
              List.of(),
              Resolved.at(tableKey + ".zorder_by", t.zorderBy()),
              Resolved.at(layerKey + ".zorder_by", l.zorderBy()),
              Resolved.at("maintenance.defaults.zorder_by", d.zorderBy()));
      Resolved<Boolean> autoCompact =
          layerOf == Layer.SYSTEM
              ? systemAutoCompact(tableKey, t)
              : Resolved.of(
                  true,
                  Resolved.at(tableKey + ".auto_compact", t.autoCompact()),
                  Resolved.at(layerKey + ".auto_compact", l.autoCompact()),
                  Resolved.at("maintenance.defaults.auto_compact", d.autoCompact()));
      policies.put(
          table,
          new MaintenancePolicy(
              bytes(size), List.copyOf(zorder.value()), retention(retention), autoCompact.value()));
    }
    return policies;
  }

  /**
   * The system tables are created without auto compaction ({@code SystemTables.create}): every
   * batch appends to them, and {@code maintain} compacts them. The defaults' setting does not reach
   * them; asking for it per table is an error rather than a setting that does nothing.
   */
  private Resolved<Boolean> systemAutoCompact(String tableKey, MaintenanceOptions t) {
    if (Boolean.TRUE.equals(t.autoCompact())) {
      throw loader.error(
          tableKey + ".auto_compact",
          "the _system tables have no auto compaction: every batch appends to them, and"
              + " ./lakehouse maintain compacts them",
          "Remove " + tableKey + ".auto_compact; run ./lakehouse maintain to compact them.");
    }
    return Resolved.of(false, Resolved.at(tableKey + ".auto_compact", t.autoCompact()));
  }

  private static MaintenanceOptions orNone(MaintenanceOptions options) {
    return options == null ? NONE : options;
  }

  private long bytes(Resolved<String> size) {
    String text = size.value();
    String key = size.key();
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw loader.error(
          key, "'" + text + "' is not a file size", "Write a size such as 128MB or 1GB.");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2).toUpperCase(Locale.ROOT)) {
      case "B" -> n;
      case "KB" -> n * 1000;
      case "MB" -> n * 1000 * 1000;
      case "GB" -> n * 1000 * 1000 * 1000;
      case "KIB" -> n << 10;
      case "MIB" -> n << 20;
      default -> n << 30;
    };
  }

  private Duration retention(Resolved<String> retention) {
    String text = retention.value();
    String key = retention.key();
    Duration d =
        Durations.parse(text)
            .orElseThrow(
                () ->
                    loader.error(
                        key, "'" + text + "' is not a duration", "Write a duration such as 168h."));
    if (d.compareTo(MIN_VACUUM_RETENTION) < 0) {
      throw loader.error(
          key,
          "a vacuum retention of "
              + text
              + " is shorter than 168h: VACUUM could delete files that a streaming reader"
              + " behind the table, or a running job, still has to read",
          "Keep at least 168h (7 days), longer than any reader can fall behind.");
    }
    return d;
  }
}
