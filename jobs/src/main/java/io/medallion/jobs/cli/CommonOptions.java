package io.medallion.jobs.cli;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Durations;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.jobs.api.PipelineDefinition;
import io.medallion.jobs.catalog.CatalogTarget;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command takes. Each is resolved flag, then environment variable, then default. */
public final class CommonOptions {
  /** The reference pipeline, relative to the repository root (the working directory). */
  public static final String DEFAULT_PIPELINE = "pipelines/engagement/pipeline.yaml";

  /** How {@code --pipeline} names a pipeline defined in Java: {@code java:} and the class. */
  public static final String JAVA_PIPELINE = "java:";

  @Option(
      names = "--pipeline",
      paramLabel = "FILE|URI|java:CLASS",
      defaultValue = "${env:MEDALLION_PIPELINE:-" + DEFAULT_PIPELINE + "}",
      description =
          "Pipeline spec: a file, a URI such as s3://bucket/pipeline.yaml read through Hadoop, or"
              + " java:CLASS for a pipeline defined in Java (env MEDALLION_PIPELINE; default:"
              + " ${DEFAULT-VALUE}).")
  String pipeline;

  @Option(
      names = "--lake-root",
      paramLabel = "DIR|URI",
      defaultValue = "${env:MEDALLION_LAKE_ROOT:-" + LakeLayout.DEFAULT_ROOT + "}",
      description =
          "Lake root: a local directory or s3a://bucket/prefix (env MEDALLION_LAKE_ROOT;"
              + " default: ${DEFAULT-VALUE}).")
  String lakeRoot;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:MEDALLION_BOOTSTRAP_SERVERS}",
      description =
          "Kafka bootstrap servers (env MEDALLION_BOOTSTRAP_SERVERS; default: the local broker"
              + " started with 'kafka start', where the local workbench runs).")
  String bootstrapServers;

  @Option(
      names = "--kafka-dir",
      paramLabel = "DIR",
      defaultValue = "${env:MEDALLION_KAFKA_DIR}",
      description =
          "The local broker's data directory (env MEDALLION_KAFKA_DIR; default:"
              + " <lake-root>/_kafka, or ./lakehouse-data/_kafka for a remote lake).")
  Path kafkaDir;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Spark setting, repeatable (e.g. spark.hadoop.fs.s3a.endpoint=...).")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(
      names = "--kafka-conf",
      paramLabel = "KEY=VALUE",
      description = "A Kafka client setting, repeatable (e.g. security.protocol=SASL_SSL).")
  Map<String, String> kafkaConf = new LinkedHashMap<>();

  @Option(
      names = "--kafka-auth",
      paramLabel = "METHOD",
      defaultValue = "${env:MEDALLION_KAFKA_AUTH:-none}",
      description =
          "How the Kafka clients authenticate: none, or aws-msk-iam (Amazon MSK's IAM access"
              + " control, as the role the job runs as); --kafka-conf settings win over the"
              + " method's (env MEDALLION_KAFKA_AUTH; default: ${DEFAULT-VALUE}).")
  String kafkaAuth;

  @Option(
      names = "--catalog",
      paramLabel = "NAME",
      defaultValue = "${env:MEDALLION_CATALOG:-none}",
      description =
          "Where the tables are registered for SQL engines beyond Spark: none, or glue (the AWS"
              + " Glue Data Catalog, which Athena reads; needs a lake on s3a://) (env"
              + " MEDALLION_CATALOG; default: ${DEFAULT-VALUE}).")
  String catalog;

  @Option(
      names = "--glue-database",
      paramLabel = "LAYER=NAME",
      description =
          "The Glue database of a layer (bronze, silver, gold, _system), repeatable (default: the"
              + " layer's name, and medallion_system for _system).")
  Map<String, String> glueDatabases = new LinkedHashMap<>();

  @Option(names = "--verbose", description = "Show stack traces and more logging.")
  boolean verbose;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The pipeline, loaded and validated. */
  public Pipeline pipeline() {
    if (pipeline.startsWith(JAVA_PIPELINE)) {
      return javaPipeline(pipeline.substring(JAVA_PIPELINE.length()));
    }
    return pipeline.contains("://")
        ? PipelineLoader.load(URI.create(pipeline))
        : PipelineLoader.load(Path.of(pipeline));
  }

  private static Pipeline javaPipeline(String className) {
    Class<?> type;
    try {
      type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new OptionException(
          "--pipeline " + JAVA_PIPELINE + className + ": no such class on the classpath.",
          "Check the class name, and put the jar that holds it on the classpath.");
    }
    if (!PipelineDefinition.class.isAssignableFrom(type)) {
      throw new OptionException(
          "--pipeline "
              + JAVA_PIPELINE
              + className
              + ": the class does not implement "
              + PipelineDefinition.class.getName()
              + ".",
          "Implement it: its define() returns PipelineBuilder.pipeline(...)...build().");
    }
    try {
      return ((PipelineDefinition) type.getDeclaredConstructor().newInstance()).define();
    } catch (ReflectiveOperationException e) {
      throw new OptionException(
          "--pipeline " + JAVA_PIPELINE + className + ": cannot create it (" + e + ").",
          "Give it a public constructor without arguments.");
    }
  }

  /** The lake layout. */
  public LakeLayout lake() {
    return LakeLayout.of(lakeRoot);
  }

  /** The local broker's directory. */
  public Path kafkaDir() {
    if (kafkaDir != null) {
      return kafkaDir;
    }
    LakeLayout lake = lake();
    return lake.isLocal()
        ? lake.localRoot().resolve("_kafka")
        : Path.of(LakeLayout.DEFAULT_ROOT, "_kafka");
  }

  /**
   * The Kafka cluster to use: the flag or variable if set, else the default broker of the running
   * CLI (the local broker, in the workbench; none on a cluster).
   */
  public String bootstrapServers() {
    Optional<String> named = namedBootstrapServers();
    if (named.isPresent()) {
      return named.get();
    }
    BrokerDefault fallback = LakehouseCommand.brokerDefault(command);
    return fallback.bootstrapServers(kafkaDir()).orElseThrow(() -> fallback.notFound(kafkaDir()));
  }

  /** The brokers named by {@code --bootstrap-servers} or its variable, if any. */
  public Optional<String> namedBootstrapServers() {
    return bootstrapServers == null || bootstrapServers.isBlank()
        ? Optional.empty()
        : Optional.of(bootstrapServers);
  }

  /** The Spark settings from {@code --conf}. */
  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  /** The Kafka client settings: those of {@code --kafka-auth}, then {@code --kafka-conf}'s. */
  public Map<String, String> kafkaConf() {
    return KafkaAuth.parse(kafkaAuth).with(kafkaConf);
  }

  /** Where the tables are registered besides the session catalog: checked, not yet started. */
  public CatalogTarget catalog() {
    return CatalogTarget.parse(catalog, glueDatabases, lake());
  }

  /** Where the command prints: picocli's writer, which tests and embedders may replace. */
  public PrintWriter out() {
    return command.commandLine().getOut();
  }

  /** Parses {@code --trigger-interval}: empty when not given, an error when not a duration. */
  public static Optional<Duration> triggerInterval(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return Optional.of(
        Durations.parse(text)
            .orElseThrow(
                () ->
                    new OptionException(
                        "--trigger-interval '" + text + "' is not a duration.",
                        "Write a number and a unit: 500ms, 5s, 1m.")));
  }

  /** Whether to show stack traces. */
  public boolean verbose() {
    return verbose;
  }
}
