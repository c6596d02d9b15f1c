package io.medallion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.localstack.ChildJvm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar for spark-submit and EMR: slim (the cluster provides Spark, Scala, Delta and Hadoop),
 * with the CLI as its entry point, which starts on the classpath a cluster gives it.
 */
class ClusterJarIT {
  @TempDir Path dir;

  private static Path clusterJar() throws Exception {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("medallion-jobs-.*-spark\\.jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no cluster jar in target/: run mvn package"));
    }
  }

  @Test
  void holdsNoSparkScalaDeltaOrHadoopClasses() throws Exception {
    List<String> entries;
    String mainClass;
    try (JarFile jar = new JarFile(clusterJar().toFile())) {
      entries =
          Collections.list(jar.entries()).stream()
              .map(ZipEntry::getName)
              .filter(name -> !name.endsWith("/"))
              .toList();
      mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
    }
    assertThat(mainClass).isEqualTo(Main.class.getName());
    assertThat(entries)
        .contains("io/medallion/jobs/Main.class", "io/medallion/silver/TableRefiner.class")
        .contains("org/apache/spark/sql/kafka010/KafkaSourceProvider.class")
        // The local workbench (generator, live view, SQL shell, benchmark, local broker) stays
        // home.
        .noneMatch(e -> e.startsWith("io/medallion/workbench/"))
        .noneMatch(e -> e.startsWith("io/medallion/localstack/"))
        .noneMatch(e -> e.startsWith("org/jline/"))
        .noneMatch(e -> e.startsWith("kafka/") && e.endsWith(".class"))
        .noneMatch(e -> e.startsWith("org/gaul/"))
        .noneMatch(e -> e.startsWith("scala/"))
        .noneMatch(e -> e.startsWith("io/delta/"))
        .noneMatch(e -> e.startsWith("org/apache/hadoop/"))
        // Spark itself: only its Kafka connector is shipped, which EMR does not provide.
        .noneMatch(
            e ->
                e.startsWith("org/apache/spark/")
                    && !e.startsWith("org/apache/spark/sql/kafka010/")
                    && !e.startsWith("org/apache/spark/kafka010/")
                    && !e.startsWith("org/apache/spark/streaming/kafka010/"));
  }

  @Test
  void theEntryPointStartsOnTheClasspathAClusterProvides() throws Exception {
    // What spark-submit puts beside the jar: Spark, Scala, Delta and Hadoop (the provided list).
    List<String> classpath = new ArrayList<>();
    classpath.add(clusterJar().toString());
    classpath.addAll(
        List.of(
            Files.readString(Path.of("target/launcher/classpath-provided.txt"))
                .strip()
                .split(File.pathSeparator)));
    // Spark brings Jackson to every cluster, so the jar leaves it out (the shade excludes): the
    // build resolves it as a compile dependency, so it is on the runtime list, not the provided
    // one.
    Arrays.stream(
            Files.readString(Path.of("target/launcher/classpath-runtime.txt"))
                .strip()
                .split(File.pathSeparator))
        .filter(jar -> jar.contains("/com/fasterxml/jackson/core/"))
        .forEach(classpath::add);
    Path log = dir.resolve("help.log");
    Process help =
        ChildJvm.launch(
            List.of(
                "-cp", String.join(File.pathSeparator, classpath), Main.class.getName(), "--help"),
            log,
            false);
    assertThat(help.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String output = Files.readString(log);
    assertThat(help.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("Usage: lakehouse", "ingest", "refine", "aggregate", "run", "maintain")
        .doesNotContain("demo", "bench", "sql-server", "generate");
  }
}
