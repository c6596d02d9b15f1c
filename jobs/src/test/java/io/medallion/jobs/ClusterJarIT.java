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
 * with the CLI as its entry point, which starts on the classpath a cluster gives it, and with what
 * the cluster lacks: Spark's Kafka connector and MSK's IAM authentication.
 */
class ClusterJarIT {
  /** The repository folders of the shade's excludes, which the cluster provides. */
  private static final List<String> CLUSTER_PROVIDED =
      List.of(
          "/org/apache/hadoop/",
          "/org/apache/spark/spark-tags_",
          "/org/scala-lang/",
          "/org/slf4j/",
          "/com/fasterxml/jackson/core/",
          "/org/xerial/snappy/",
          "/org/lz4/",
          "/com/github/luben/");

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
        // MSK's IAM authentication, with its AWS SDK relocated away from the cluster's.
        .contains(
            "software/amazon/msk/auth/iam/IAMClientCallbackHandler.class",
            "software/amazon/msk/auth/iam/IAMLoginModule.class",
            "io/medallion/shaded/awssdk/auth/credentials/DefaultCredentialsProvider.class")
        // Glue registration (--catalog glue), on the JDK's HTTP client: no Netty.
        .contains(
            "io/medallion/shaded/awssdk/services/glue/GlueClient.class",
            "io/medallion/shaded/awssdk/http/urlconnection/UrlConnectionHttpClient.class")
        .noneMatch(e -> e.startsWith("io/medallion/shaded/awssdk/http/nio/netty/"))
        .noneMatch(e -> e.startsWith("software/amazon/awssdk/"))
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
    Path log = dir.resolve("help.log");
    Process help =
        ChildJvm.launch(
            List.of("-cp", clusterClasspath(), Main.class.getName(), "--help"), log, false);
    assertThat(help.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String output = Files.readString(log);
    assertThat(help.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("Usage: lakehouse", "ingest", "refine", "aggregate", "run", "maintain")
        .doesNotContain("demo", "bench", "sql-server", "generate");
  }

  @Test
  void mskIamAuthenticationSignsFromTheJarOnTheClasspathAClusterProvides() throws Exception {
    // A Kafka client with the settings of --kafka-auth aws-msk-iam, then the first message of the
    // IAM handshake, signed with the credentials the default chain finds (here: system
    // properties; on EMR: the job role). No broker is contacted.
    Path log = dir.resolve("probe.log");
    String broker = "b-1.medallion.abc123.c2.kafka.eu-west-1.amazonaws.com";
    Process probe =
        ChildJvm.launch(
            List.of(
                "-Daws.accessKeyId=AKIDMEDALLIONPROBE",
                "-Daws.secretAccessKey=probe-secret",
                "-Daws.region=eu-west-1",
                "-cp",
                clusterClasspath(),
                Path.of("src/test/resources/probe/MskIamProbe.java").toString(),
                "127.0.0.1:" + ChildJvm.freePort(),
                broker),
            log,
            false);
    assertThat(probe.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String output = Files.readString(log);
    assertThat(probe.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("client built")
        .contains("\"action\":\"kafka-cluster:Connect\"")
        .contains("\"host\":\"" + broker + "\"")
        .contains("\"x-amz-credential\":\"AKIDMEDALLIONPROBE/")
        .contains("/eu-west-1/kafka-cluster/aws4_request\"")
        .containsPattern("\"x-amz-signature\":\"[0-9a-f]{64}\"");
  }

  /**
   * What spark-submit puts beside the jar: Spark, Scala, Delta, Hadoop and hadoop-aws's AWS SDK
   * bundle (the provided list), and what the build resolves as compile dependencies but the jar
   * leaves out because every Spark cluster has it (the shade's excludes: Hadoop's client, Scala,
   * SLF4J, Jackson, the compression codecs).
   */
  static String clusterClasspath() throws Exception {
    List<String> classpath = new ArrayList<>();
    classpath.add(clusterJar().toString());
    classpath.addAll(
        List.of(
            Files.readString(Path.of("target/launcher/classpath-provided.txt"))
                .strip()
                .split(File.pathSeparator)));
    Arrays.stream(
            Files.readString(Path.of("target/launcher/classpath-runtime.txt"))
                .strip()
                .split(File.pathSeparator))
        .filter(jar -> CLUSTER_PROVIDED.stream().anyMatch(jar::contains))
        .forEach(classpath::add);
    return String.join(File.pathSeparator, classpath);
  }
}
