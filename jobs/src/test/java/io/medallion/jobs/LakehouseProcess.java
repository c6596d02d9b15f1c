package io.medallion.jobs;

import io.medallion.localstack.ChildJvm;
import io.medallion.testkit.TestKafka;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code lakehouse <command>} in a child JVM with this JVM's class path and flags. */
final class LakehouseProcess {
  private LakehouseProcess() {}

  /**
   * @param log where the child's output goes
   * @param jvmProperties extra {@code -Dkey=value} flags, such as a fault point
   */
  static Process start(
      Path log,
      List<String> jvmProperties,
      String command,
      Path spec,
      Path lakeDir,
      String... extra)
      throws Exception {
    List<String> args = new ArrayList<>();
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-opens")
          || flag.startsWith("-Djdk.reflect")
          || flag.startsWith("-Dio.netty")) {
        args.add(flag);
      }
    }
    args.add("-Xmx1g");
    args.add("-Dspark.master=local[2]");
    args.add("-Dlog4j2.configurationFile=log4j2-test.xml");
    args.addAll(jvmProperties);
    args.add("-cp");
    args.add(System.getProperty("java.class.path"));
    args.add(Main.class.getName());
    args.add(command);
    args.add("--pipeline");
    args.add(spec.toString());
    args.add("--lake-root");
    args.add(lakeDir.toString());
    args.add("--bootstrap-servers");
    args.add(TestKafka.bootstrapServers());
    args.addAll(List.of(extra));
    return ChildJvm.launch(args, log, false);
  }
}
