package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.events.Event;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableMaintenance;
import io.medallion.core.lake.TableMaintenance.Outcome;
import io.medallion.core.lake.TableRef;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.MaintenancePolicy;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.jobs.run.OperationRun;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse maintain}: OPTIMIZE and VACUUM by the spec's policies, beside the pipeline. */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description = {
      "Compact small files (OPTIMIZE, Z-ordered where the spec says) and delete files the tables"
          + " no longer use once older than the retention (VACUUM), table by table, by the spec's"
          + " maintenance policies. Safe while the pipeline runs. Each table's run is recorded in"
          + " _system.events."
    })
final class MaintainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Only this table, by qualified name such as silver.plays (default: all).")
  String table;

  @Option(names = "--dry-run", description = "Report what would be done; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    LakeLayout lake = common.lake();
    List<String> tables = List.copyOf(pipeline.maintainedTables());
    if (table != null) {
      if (!pipeline.maintenance().containsKey(table)) {
        throw new OptionException(
            "--table " + table + " is not a table of this pipeline.",
            "Use a qualified name: " + String.join(", ", tables) + ".");
      }
      tables = List.of(table);
    }
    SparkSession spark = SparkSessions.getOrCreate("medallion-maintain", common.sparkConf());
    PrintWriter out = spec.commandLine().getOut();
    boolean failed = false;
    try (OperationRun op = OperationRun.open(spark, lake, "maintain")) {
      for (String name : tables) {
        MaintenancePolicy policy = pipeline.maintenance().get(name);
        for (Target target : targets(pipeline, lake, name, policy)) {
          try {
            op.step(
                target.name(),
                () ->
                    TableMaintenance.maintain(
                        spark, target.name(), target.path(), target.policy(), dryRun),
                (o, ms) -> {
                  String line = describe(o, target.policy(), ms);
                  out.println(line);
                  out.flush();
                  return o.exists()
                      ? new OperationRun.Outcome(
                          Event.MAINTENANCE,
                          o.filesBefore(),
                          o.filesAfter(),
                          line.substring(target.name().length()).trim(),
                          details(o, target.policy()))
                      : null;
                });
          } catch (RuntimeException e) {
            failed = true;
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            out.printf("%-34s FAILED: %s%n", target.name(), message);
            out.flush();
          }
        }
      }
    }
    if (failed) {
      throw new MedallionException(
          "maintenance failed for some tables (see the FAILED lines above); the others were"
              + " maintained. A failed OPTIMIZE or VACUUM changes nothing.",
          "Fix what the FAILED lines say and run ./lakehouse maintain again.");
    }
    return 0;
  }

  /** One Delta table maintain compacts and vacuums, under the name its lines and events give. */
  private record Target(String name, String path, MaintenancePolicy policy) {}

  /**
   * A table and what belongs to it: the tombstones of an {@code scd1} silver table that applies
   * deletes (a MERGE for every batch with deletes) are kept by the table's policy, without its
   * Z-order columns, which they need not have.
   */
  private static List<Target> targets(
      Pipeline pipeline, LakeLayout lake, String name, MaintenancePolicy policy) {
    Target table = new Target(name, lake.location(name), policy);
    TableRef ref = TableRef.parse(name);
    boolean hasTombstones =
        ref.layer() == Layer.SILVER
            && pipeline
                .silverTable(ref.name())
                .filter(
                    t -> t.write().mode() == WriteMode.SCD1 && !t.write().deleteWhen().isEmpty())
                .isPresent();
    if (!hasTombstones) {
      return List.of(table);
    }
    MaintenancePolicy unordered =
        new MaintenancePolicy(
            policy.targetFileBytes(), List.of(), policy.vacuumRetention(), policy.autoCompact());
    return List.of(table, new Target(name + " tombstones", lake.tombstones(ref.name()), unordered));
  }

  private String describe(Outcome o, MaintenancePolicy policy, long ms) {
    if (!o.exists()) {
      return String.format("%-34s not created yet", o.table());
    }
    String zorder = policy.zorderBy().isEmpty() ? "" : " Z-ordered by " + policy.zorderBy();
    if (dryRun) {
      return String.format(
          "%-34s %,d files, %,d below %s: would compact them%s; would vacuum %,d unused files"
              + " older than %d h",
          o.table(),
          o.filesBefore(),
          o.smallFiles(),
          size(policy.targetFileBytes()),
          zorder,
          o.filesVacuumed(),
          policy.vacuumRetention().toHours());
    }
    return String.format(
        "%-34s files %,d -> %,d (compacted %,d into %,d%s); vacuumed %s unused files older than"
            + " %d h; %.1f s",
        o.table(),
        o.filesBefore(),
        o.filesAfter(),
        o.filesCompacted(),
        o.filesWritten(),
        zorder,
        o.filesVacuumed() < 0 ? "?" : String.format("%,d", o.filesVacuumed()),
        policy.vacuumRetention().toHours(),
        ms / 1000.0);
  }

  private String details(Outcome o, MaintenancePolicy policy) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("dry_run", dryRun);
    details.put("files_before", o.filesBefore());
    details.put("files_after", o.filesAfter());
    details.put("small_files", o.smallFiles());
    details.put("files_compacted", o.filesCompacted());
    details.put("files_written", o.filesWritten());
    details.put("files_vacuumed", o.filesVacuumed());
    details.put("target_file_bytes", policy.targetFileBytes());
    details.put("zorder_by", policy.zorderBy());
    details.put("vacuum_retention_hours", policy.vacuumRetention().toHours());
    return Event.details(details);
  }

  private static String size(long bytes) {
    return bytes % 1_000_000 == 0 ? bytes / 1_000_000 + " MB" : bytes + " bytes";
  }
}
