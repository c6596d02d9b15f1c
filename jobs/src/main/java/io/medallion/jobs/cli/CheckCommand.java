package io.medallion.jobs.cli;

import io.medallion.core.spark.SparkSessions;
import io.medallion.core.spec.Pipeline;
import io.medallion.silver.ReconciliationCheck;
import io.medallion.silver.ReconciliationCheck.Finding;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lakehouse check}: verifies silver's reconciliation; exit 1 on any mismatch. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Verify that every bronze row read by silver is accounted for: per batch, bronze rows ="
          + " accepted + quarantined + duplicates + dropped, and the tables agree with the"
          + " records. Exits 1 on a mismatch."
    })
final class CheckCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Pipeline pipeline = common.pipeline();
    List<Finding> findings =
        ReconciliationCheck.check(
            SparkSessions.getOrCreate("medallion-check", common.sparkConf()),
            common.lake(),
            pipeline.silverTables());
    PrintWriter out = spec.commandLine().getOut();
    boolean ok = true;
    for (Finding f : findings) {
      out.printf("%-4s %-24s %-40s %s%n", f.ok() ? "ok" : "FAIL", f.table(), f.check(), f.detail());
      ok &= f.ok();
    }
    out.println(ok ? "Reconciliation holds." : "Reconciliation FAILED: see the FAIL lines above.");
    out.flush();
    return ok ? 0 : LakehouseCommand.EXIT_FAILURE;
  }
}
