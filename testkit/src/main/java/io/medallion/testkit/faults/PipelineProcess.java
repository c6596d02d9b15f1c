package io.medallion.testkit.faults;

import io.medallion.localstack.ChildJvm;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline job in a child JVM, so that a fault test can kill it: with {@code kill -9} at a seeded
 * random moment, or at a named point ({@link io.medallion.core.spark.FaultPoints}, {@link
 * FaultFileSystem}) where the job halts itself.
 */
public final class PipelineProcess {
  private PipelineProcess() {}

  /** The JVM flag that halts the job at a named fault point. */
  public static String haltAt(String point) {
    return "-D" + io.medallion.core.spark.FaultPoints.PROPERTY + "=" + point;
  }

  /** The JVM flags that halt the job when it creates a data file under {@code pathFragment}. */
  public static List<String> haltOnCreate(String pathFragment) {
    return List.of(
        "-D" + FaultFileSystem.HADOOP_CONF + "=" + FaultFileSystem.class.getName(),
        "-D" + FaultFileSystem.HALT_PROPERTY + "=" + pathFragment);
  }

  /**
   * Starts {@code mainClass} with this JVM's class path and module flags, Spark in local mode, 1
   * GiB of heap.
   *
   * @param log where the child's output goes
   * @param jvmFlags extra JVM flags, such as {@link #haltAt}
   * @param args the program's arguments
   */
  public static Process start(
      String mainClass, Path log, List<String> jvmFlags, List<String> args) {
    List<String> command = new ArrayList<>();
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-opens")
          || flag.startsWith("-Djdk.reflect")
          || flag.startsWith("-Dio.netty")) {
        command.add(flag);
      }
    }
    command.add("-Xmx1g");
    // Short runs on two cores: the quick JIT alone, and as few tasks as the test JVM uses. The
    // quick JIT alone shrinks the code cache to 48 MiB, which a whole pipeline's generated code
    // fills within minutes; a full cache then fails method-handle linking in a streaming query
    // (NoSuchMethodException: MethodHandle.linkToStatic), so it gets the tiered default back.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:ReservedCodeCacheSize=240m");
    command.add("-Dspark.master=local[2]");
    command.add("-Dspark.sql.shuffle.partitions=2");
    command.add("-Dspark.default.parallelism=2");
    command.add("-Dlog4j2.configurationFile=log4j2-test.xml");
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    try {
      return ChildJvm.launch(command, log, false);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  /** Kills the process as {@code kill -9} does and returns its exit code (137). */
  public static int kill9(Process process) throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + process.pid() + " did not die");
    }
    return process.exitValue();
  }

  /** Waits for the process to end and returns its exit code. */
  public static int await(Process process, Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill9(process);
      throw new IllegalStateException(
          "process " + process.pid() + " did not finish within " + timeout);
    }
    return process.exitValue();
  }

  /** A moment between {@code min} and {@code max}, drawn from {@code random}. */
  public static Duration between(Random random, Duration min, Duration max) {
    return min.plusMillis((long) (random.nextDouble() * (max.toMillis() - min.toMillis())));
  }
}
