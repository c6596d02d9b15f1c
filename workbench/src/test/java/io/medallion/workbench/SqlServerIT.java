package io.medallion.workbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.localstack.ChildJvm;
import io.medallion.testkit.TestSpark;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lakehouse sql-server} answers a Spark Connect client over the lake's catalog. */
class SqlServerIT {
  @TempDir Path dir;

  @Test
  void aSparkConnectClientQueriesGoldByName() throws Exception {
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    TestSpark.get()
        .sql("SELECT 'US' AS country, 1 AS rank, 't1' AS title_id, 2.5D AS score")
        .write()
        .format("delta")
        .save(lake.table(Layer.GOLD, "trending_now"));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path log = dir.resolve("server.log");
    Process server =
        LakehouseProcess.start(
            log,
            List.of(),
            "sql-server",
            Path.of("../pipelines/engagement/pipeline.yaml"),
            dir.resolve("lake"),
            "--port",
            String.valueOf(port));
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> {
                assertThat(server.isAlive()).as(Files.readString(log)).isTrue();
                return Files.readString(log).contains("Spark Connect is serving");
              });
      // A client JVM with the Connect client's classpath: no classic Spark, no server.
      List<String> classpath =
          Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
              .filter(SqlServerIT::onClientClasspath)
              .toList();
      Path clientLog = dir.resolve("client.log");
      Process client =
          ChildJvm.launch(
              List.of(
                  "--add-opens=java.base/java.nio=ALL-UNNAMED",
                  "-cp",
                  String.join(File.pathSeparator, classpath),
                  ConnectQuery.class.getName(),
                  "sc://127.0.0.1:" + port,
                  "SELECT country, rank, title_id, score FROM gold.trending_now"),
              clientLog,
              false);
      assertThat(client.waitFor(2, TimeUnit.MINUTES)).isTrue();
      String output = Files.readString(clientLog);
      assertThat(client.exitValue()).as(output).isZero();
      assertThat(output.lines().filter(l -> l.startsWith("ROW ")).toList())
          .containsExactly("ROW US|1|t1|2.5");
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /** Whether a test classpath entry belongs on a Connect client's classpath. */
  private static boolean onClientClasspath(String entry) {
    String name = Path.of(entry).getFileName().toString();
    if (name.equals("test-classes")) {
      return true;
    }
    if (name.startsWith("spark-")) {
      return Stream.of(
              "spark-connect-client-jvm",
              "spark-connect-shims",
              "spark-common-utils",
              "spark-unsafe",
              "spark-variant",
              "spark-sketch",
              "spark-tags")
          .anyMatch(name::startsWith);
    }
    return !name.startsWith("delta-")
        && !name.startsWith("hadoop-")
        && !name.startsWith("medallion-")
        && !name.equals("classes");
  }
}
