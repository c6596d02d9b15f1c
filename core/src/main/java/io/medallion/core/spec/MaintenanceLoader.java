package io.medallion.core.spec;

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
      String layer = table.substring(0, table.indexOf('.'));
      MaintenanceOptions layerOptions =
          switch (layer) {
            case "bronze" -> m.bronze();
            case "silver" -> m.silver();
            case "gold" -> m.gold();
            default -> null;
          };
      MaintenanceOptions t = orNone(perTable.get(table));
      MaintenanceOptions l = orNone(layerOptions);
      MaintenanceOptions d = orNone(m.defaults());
      String tableKey = "maintenance.tables." + table;
      String layerKey = "maintenance." + layer;
      String size = PipelineLoader.first(t.targetFileSize(), l.targetFileSize(), null);
      String sizeKey =
          t.targetFileSize() != null
              ? tableKey + ".target_file_size"
              : l.targetFileSize() != null
                  ? layerKey + ".target_file_size"
                  : "maintenance.defaults.target_file_size";
      String retention = PipelineLoader.first(t.vacuumRetention(), l.vacuumRetention(), null);
      String retentionKey =
          t.vacuumRetention() != null
              ? tableKey + ".vacuum_retention"
              : l.vacuumRetention() != null
                  ? layerKey + ".vacuum_retention"
                  : "maintenance.defaults.vacuum_retention";
      List<String> zorder = PipelineLoader.first(t.zorderBy(), l.zorderBy(), d.zorderBy());
      Boolean autoCompact = PipelineLoader.first(t.autoCompact(), l.autoCompact(), d.autoCompact());
      policies.put(
          table,
          new MaintenancePolicy(
              bytes(
                  PipelineLoader.first(size, d.targetFileSize(), DEFAULT_TARGET_FILE_SIZE),
                  sizeKey),
              zorder == null ? List.of() : List.copyOf(zorder),
              retention(
                  PipelineLoader.first(retention, d.vacuumRetention(), DEFAULT_VACUUM_RETENTION),
                  retentionKey),
              autoCompact == null || autoCompact));
    }
    return policies;
  }

  private static MaintenanceOptions orNone(MaintenanceOptions options) {
    return options == null ? NONE : options;
  }

  private long bytes(String text, String key) {
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

  private Duration retention(String text, String key) {
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
