package io.medallion.workbench;

import io.medallion.testkit.TestKafka;
import io.medallion.testkit.faults.PipelineProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code lakehouse <command>} in a child JVM against the test broker. */
final class LakehouseProcess {
  private LakehouseProcess() {}

  /**
   * @param log where the child's output goes
   * @param jvmFlags extra JVM flags, such as a fault point
   */
  static Process start(
      Path log, List<String> jvmFlags, String command, Path spec, Path lakeDir, String... extra) {
    List<String> args = new ArrayList<>();
    args.add(command);
    args.add("--pipeline");
    args.add(spec.toString());
    args.add("--lake-root");
    args.add(lakeDir.toString());
    args.add("--bootstrap-servers");
    args.add(TestKafka.bootstrapServers());
    args.addAll(List.of(extra));
    return PipelineProcess.start(Main.class.getName(), log, jvmFlags, args);
  }
}
