package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.localstack.LocalKafka;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes. Each is resolved flag, then environment variable, then default. */
public final class CommonOptions {
  /** The reference pipeline, relative to the repository root (the working directory). */
  public static final String DEFAULT_PIPELINE = "pipelines/engagement/pipeline.yaml";

  @Option(
      names = "--pipeline",
      paramLabel = "FILE|URI",
      defaultValue = "${env:MEDALLION_PIPELINE:-" + DEFAULT_PIPELINE + "}",
      description =
          "Pipeline spec: a file, or a URI such as s3://bucket/pipeline.yaml read through Hadoop"
              + " (env MEDALLION_PIPELINE; default: ${DEFAULT-VALUE}).")
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
              + " started with 'kafka start').")
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

  @Option(names = "--verbose", description = "Show stack traces and more logging.")
  boolean verbose;

  /** The pipeline, loaded and validated. */
  public Pipeline pipeline() {
    return pipeline.contains("://")
        ? PipelineLoader.load(URI.create(pipeline))
        : PipelineLoader.load(Path.of(pipeline));
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

  /** The Kafka cluster to use: the flag or variable if set, else the running local broker. */
  public String bootstrapServers() {
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      return bootstrapServers;
    }
    return LocalKafka.running(kafkaDir())
        .map(LocalKafka::bootstrapServers)
        .orElseThrow(
            () ->
                new MedallionException(
                    "No Kafka broker is running on " + kafkaDir() + ".",
                    "Start one with ./lakehouse kafka start, or pass --bootstrap-servers"
                        + " HOST:PORT for another cluster."));
  }

  /** The Spark settings from {@code --conf}. */
  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  /** The Kafka client settings from {@code --kafka-conf}. */
  public Map<String, String> kafkaConf() {
    return kafkaConf;
  }

  /** Whether to show stack traces. */
  public boolean verbose() {
    return verbose;
  }
}
