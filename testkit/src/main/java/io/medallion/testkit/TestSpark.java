package io.medallion.testkit;

import io.medallion.core.spark.SparkSessions;
import io.medallion.testkit.faults.FaultFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** One local Spark session per test JVM, with Delta enabled and small partitions. */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  /** The shared session, created on first use and stopped when the JVM exits. */
  public static synchronized SparkSession get() {
    if (session == null) {
      String warehouse;
      try {
        warehouse = Files.createTempDirectory("medallion-warehouse").toString();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      session =
          SparkSessions.getOrCreate(
              "medallion-tests",
              Map.of(
                  "spark.master",
                  "local[2]",
                  "spark.sql.shuffle.partitions",
                  "2",
                  "spark.default.parallelism",
                  "2",
                  "spark.sql.warehouse.dir",
                  warehouse,
                  "spark.sql.streaming.minBatchesToRetain",
                  "10",
                  "spark.ui.showConsoleProgress",
                  "false",
                  // Test data is a few rows: compiling generated code for each plan and
                  // re-planning each shuffle cost more CPU than running them interpreted and as
                  // planned (silver's slowest unit tests: 250 s -> 172 s). Production and the ITs'
                  // lakehouse processes keep Spark's defaults.
                  "spark.sql.codegen.wholeStage",
                  "false",
                  "spark.sql.codegen.factoryMode",
                  "NO_CODEGEN",
                  "spark.sql.adaptive.enabled",
                  "false",
                  // Plain local files until a test switches a fault on.
                  FaultFileSystem.HADOOP_CONF,
                  FaultFileSystem.class.getName()));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
    }
    return session;
  }
}
