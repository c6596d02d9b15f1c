package io.medallion.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.LakeLayout;
import io.medallion.workbench.cli.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a user can cause get one clear message and a non-zero exit, without a stack trace. */
class CliErrorsTest {
  @TempDir Path dir;

  private static Result run(String... args) {
    return CliRun.run(args);
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    Result r = run("ingest", "--bogus");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("error: Unknown option: '--bogus'")
        .contains("Run 'lakehouse ingest --help' for the options.")
        .doesNotContain("\tat ");
  }

  @Test
  void noCommandIsAUsageError() {
    Result r = run();

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: Name a command.");
  }

  @Test
  void aMissingPipelineFileNamesTheFileAndTheFix() {
    Result r =
        run(
            "ingest",
            "--pipeline",
            dir.resolve("nope.yaml").toString(),
            "--bootstrap-servers",
            "127.0.0.1:9");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: Pipeline spec "
                + dir.resolve("nope.yaml")
                + " does not exist.\n  Fix: Pass an existing file with --pipeline, or leave it out"
                + " to use the reference pipeline pipelines/engagement/pipeline.yaml.\n");
  }

  @Test
  void aJavaPipelineThatIsNotOnTheClasspathIsAUsageError() {
    Result r = run("validate", "--pipeline", "java:com.example.Nope");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "error: --pipeline java:com.example.Nope: no such class on the classpath.\n"
                + "  Fix: Check the class name, and put the jar that holds it on the classpath.\n");
  }

  @Test
  void aBadSpecNamesFileLineAndKey() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(
        spec, "name: x\nsources:\n  a:\n    topik: a\nbronze:\n  tables:\n    a: {source: a}\n");

    Result r = run("ingest", "--pipeline", spec.toString(), "--bootstrap-servers", "127.0.0.1:9");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: " + spec + ":4 [sources.a.topik]: unknown key 'topik'")
        .contains("Did you mean 'topic'?")
        .doesNotContain("\tat ");
  }

  @Test
  void noRunningLocalBrokerSaysHowToStartOne() {
    Result r =
        run(
            "generate",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            dir.toString(),
            "--events",
            "10");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: No Kafka broker is running on " + dir.resolve("_kafka"))
        .contains("./lakehouse kafka start");
  }

  @Test
  void anUnreachableBrokerIsReportedNotWaitedOnForever() {
    Result r =
        run(
            "ingest",
            "--once",
            "--lake-root",
            dir.toString(),
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--bootstrap-servers",
            "127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: Kafka at 127.0.0.1:1 did not answer within")
        .contains("./lakehouse kafka start")
        .doesNotContain("\tat ");
  }

  @Test
  void anUnknownKafkaAuthenticationListsTheKnownOnes() {
    Result r =
        run(
            "ingest",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--kafka-auth",
            "kerberos");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "error: --kafka-auth 'kerberos' is not an authentication method.\n  Fix: Use one of:"
                + " none, aws-msk-iam (aws-msk-iam for Amazon MSK with IAM access control).\n");
  }

  @Test
  void mskIamAuthenticationOutsideTheClusterJarSaysWhereItsLibraryIs() {
    // The workbench leaves aws-msk-iam-auth out (it is in the cluster jar only).
    Result r =
        run(
            "ingest",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--kafka-auth",
            "aws-msk-iam");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "error: --kafka-auth aws-msk-iam needs"
                + " software.amazon.msk.auth.iam.IAMClientCallbackHandler, which is not on the"
                + " classpath.")
        .contains("medallion-jobs-<version>-spark.jar")
        .doesNotContain("\tat ");
  }

  @Test
  void glueRegistrationOfALocalLakeIsAUsageError() {
    Result r =
        run(
            "ingest",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            dir.toString(),
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--catalog",
            "glue");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "error: --catalog glue registers tables on S3, and the lake root "
                + LakeLayout.of(dir.toString())
                + " is not.\n  Fix: Run on a lake at s3a://bucket/prefix, or with --catalog"
                + " none.\n");
  }

  @Test
  void anUnknownCatalogOrGlueLayerIsAUsageError() {
    Result catalog =
        run(
            "refine",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            dir.toString(),
            "--catalog",
            "hive");
    Result layer =
        run(
            "aggregate",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            "s3a://lake/medallion",
            "--catalog",
            "glue",
            "--glue-database",
            "platinum=analytics");

    assertThat(catalog.exit()).as(catalog.err()).isEqualTo(2);
    assertThat(catalog.err())
        .isEqualTo(
            "error: --catalog 'hive' is not a catalog.\n  Fix: Use one of: none, glue (glue"
                + " registers every table in the AWS Glue Data Catalog, for Athena).\n");
    assertThat(layer.exit()).as(layer.err()).isEqualTo(2);
    assertThat(layer.err())
        .isEqualTo(
            "error: --glue-database platinum=analytics names no layer.\n  Fix: Name one of the"
                + " layers: bronze, silver, gold, _system, such as --glue-database"
                + " gold=dev_gold.\n");
  }

  @Test
  void aGoldTableOrCascadeWithoutFullRefreshIsAUsageError() {
    Result r =
        run(
            "aggregate",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--lake-root",
            dir.toString(),
            "--table",
            "gold.trending_now");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "error: --table only goes with --full-refresh.\n  Fix: Use --tables to choose the"
                + " tables of a run, or add --full-refresh to rebuild them.\n");
  }

  @Test
  void badGeneratorFractionsAreRejected() {
    Result r =
        run(
            "generate",
            "--pipeline",
            "../pipelines/engagement/pipeline.yaml",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--bad-fraction",
            "1.5");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: Invalid generator options: the fractions");
  }

  @Test
  void verboseShowsTheStackTrace() {
    Result r =
        run(
            "ingest",
            "--verbose",
            "--pipeline",
            dir.resolve("nope.yaml").toString(),
            "--bootstrap-servers",
            "127.0.0.1:9");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("\tat io.medallion.core.spec.PipelineLoader.load");
  }

  @Test
  void aBenchFileCountDurationThatIsNotOneIsAUsageError() {
    Result r = run("bench", "--stages", "files", "--files-duration", "forever");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "error: --files-duration 'forever' is not a duration of a second or more; write one"
                + " such as 90s or 10m")
        .contains("Run 'lakehouse bench --help' for the options.")
        .doesNotContain("\tat ");
  }

  @Test
  void aBenchOfAnotherPipelineRefusesTheStagesThatMeasureTheReferenceTables() {
    Result r =
        run(
            "bench",
            "--stages",
            "bronze,scale,end_to_end",
            "--pipeline",
            "../pipelines/telemetry/pipeline.yaml");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "error: --stages: scale,end_to_end measure the reference pipeline's own tables; for"
                + " telemetry choose among kafka_consumer,spark_kafka_noop,naive_bronze,"
                + "naive_silver,bronze,silver,gold")
        .doesNotContain("\tat ");
  }

  @Test
  void theOperationsCommandsRejectBadArgumentsBeforeTouchingData() {
    String spec = "../pipelines/engagement/pipeline.yaml";
    String lake = dir.resolve("lake").toString();

    Result replay = run("replay", "--table", "bronze.plays", "--pipeline", spec);
    assertThat(replay.exit()).isEqualTo(2);
    assertThat(replay.err())
        .contains("Missing required argument (specify one of these)")
        .contains("--from-offsets", "--from-timestamp");

    Result offsets =
        run(
            "replay",
            "--table",
            "bronze.plays",
            "--from-offsets",
            "zero",
            "--pipeline",
            spec,
            "--lake-root",
            lake,
            "--bootstrap-servers",
            "127.0.0.1:9");
    assertThat(offsets.exit()).isEqualTo(2);
    assertThat(offsets.err())
        .isEqualTo(
            "error: --from-offsets 'zero' is not a list of PARTITION:OFFSET.\n  Fix: Write it as"
                + " 0:100,1:250 (the first offset to read, per partition).\n");

    Result notBronze =
        run("replay", "--table", "silver.plays", "--from-offsets", "0:0", "--pipeline", spec);
    assertThat(notBronze.exit()).isEqualTo(2);
    assertThat(notBronze.err()).startsWith("error: 'silver.plays' is not a bronze table of");

    Result half =
        run("backfill", "--table", "gold.trending_now", "--from", "2026-11-20", "--pipeline", spec);
    assertThat(half.exit()).isEqualTo(2);
    assertThat(half.err()).startsWith("error: --from and --to go together.");

    Result silver = run("backfill", "--table", "silver.plays", "--pipeline", spec);
    assertThat(silver.exit()).isEqualTo(2);
    assertThat(silver.err())
        .startsWith("error: a silver backfill needs --from and --to")
        .contains("./lakehouse refine --full-refresh --table plays");

    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    Result live =
        run(
            "backfill",
            "--table",
            "silver.plays",
            "--from",
            "2026-01-01",
            "--to",
            today,
            "--pipeline",
            spec);
    assertThat(live.exit()).isEqualTo(2);
    assertThat(live.err())
        .startsWith("error: --to " + today + " is not before today (" + today + ", UTC)")
        .contains("Backfill up to yesterday: --to ");

    Result scd =
        run(
            "backfill",
            "--table",
            "silver.titles",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "--pipeline",
            spec);
    assertThat(scd.exit()).isEqualTo(2);
    assertThat(scd.err())
        .startsWith("error: silver.titles is written in scd1 mode")
        .contains("./lakehouse refine --full-refresh --table titles");

    Result maintain = run("maintain", "--table", "gold.nope", "--pipeline", spec);
    assertThat(maintain.exit()).isEqualTo(2);
    assertThat(maintain.err())
        .startsWith("error: --table gold.nope is not a table of this pipeline.")
        .contains("Use a qualified name: bronze.plays,");

    Result status = run("status", "--format", "xml", "--pipeline", spec);
    assertThat(status.exit()).isEqualTo(2);
    assertThat(status.err()).startsWith("error: --format xml is not a format.");
  }
}
