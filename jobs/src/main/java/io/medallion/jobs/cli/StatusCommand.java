package io.medallion.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.medallion.core.error.MedallionException;
import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.status.PipelineStatus;
import io.medallion.jobs.status.PipelineStatus.Failure;
import io.medallion.jobs.status.PipelineStatus.Report;
import io.medallion.jobs.status.PipelineStatus.Restart;
import io.medallion.jobs.status.PipelineStatus.TableStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse status}: per table, freshness, last batch and lag; recent failures and restarts.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Summarise the pipeline from its tables and its event log (_system.events): per table,"
          + " when it last changed, its last micro-batch, how far bronze is behind Kafka; and the"
          + " failures and restarts of the last 24 hours."
    })
final class StatusCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "table (default) or json.",
      defaultValue = "table")
  String format;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("json")) {
      throw new OptionException(
          "--format " + format + " is not a format.", "Use --format table or --format json.");
    }
    Pipeline pipeline = common.pipeline();
    SparkSession spark = SparkSessions.getOrCreate("medallion-status", common.sparkConf());
    String servers;
    try {
      servers = common.bootstrapServers();
    } catch (MedallionException noBroker) {
      servers = null;
    }
    Report report = PipelineStatus.of(spark, pipeline, common.lake(), servers, common.kafkaConf());
    PrintWriter out = spec.commandLine().getOut();
    if (format.equals("json")) {
      out.println(
          new ObjectMapper()
              .registerModule(
                  new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance))
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(report));
      out.flush();
      return 0;
    }
    Instant now = Instant.now();
    out.printf(
        "%-34s %-12s %8s %-12s %10s %10s %10s%n",
        "TABLE", "UPDATED", "BATCH", "BATCH AT", "ROWS IN", "ROWS OUT", "KAFKA LAG");
    for (TableStatus t : report.tables()) {
      out.printf(
          "%-34s %-12s %8s %-12s %10s %10s %10s%n",
          t.table(),
          t.updated() == null ? "not yet" : ago(now, t.updated()),
          t.lastBatchId() == null ? "-" : t.lastBatchId(),
          t.lastBatchAt() == null ? "-" : ago(now, t.lastBatchAt()),
          number(t.rowsIn()),
          number(t.rowsOut()),
          t.table().startsWith("bronze.") ? number(t.lag()) : "");
    }
    if (!report.kafkaReachable()) {
      out.println("(Kafka lag unknown: no broker answered)");
    }
    out.println();
    if (report.failures().isEmpty()) {
      out.println("No failures in the last 24 hours.");
    } else {
      out.println("Failures in the last 24 hours (newest first):");
      for (Failure f : report.failures()) {
        out.printf(
            "  %-12s %-10s %s%n",
            ago(now, f.at()),
            f.job(),
            f.message() == null ? "" : f.message().lines().findFirst().orElse(""));
      }
    }
    if (!report.restarts().isEmpty()) {
      out.println("Queries restarted in the last 24 hours (newest first):");
      for (Restart r : report.restarts()) {
        out.printf("  %-12s %-28s %s%n", ago(now, r.at()), r.query(), r.message());
      }
    }
    out.println();
    out.println(
        "Every event: ./lakehouse sql -e \"SELECT * FROM _system.events ORDER BY event_time DESC"
            + " LIMIT 20\"");
    out.flush();
    return 0;
  }

  private static String number(Long n) {
    return n == null ? "-" : String.format("%,d", n);
  }

  static String ago(Instant now, Instant then) {
    long s = Math.max(0, Duration.between(then, now).toSeconds());
    if (s < 120) {
      return s + " s ago";
    }
    if (s < 7200) {
      return s / 60 + " min ago";
    }
    if (s < 172800) {
      return s / 3600 + " h ago";
    }
    return s / 86400 + " d ago";
  }
}
