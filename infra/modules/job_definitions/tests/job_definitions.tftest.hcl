# The job runs of one artifact version, rendered without a provider: the
# artifact addresses, the streaming StartJobRun request and the batch tasks'
# parameters.

variables {
  name             = "medallion-test"
  application_id   = "00abcdef12345678"
  job_role_arn     = "arn:aws:iam::123456789012:role/medallion-test-job-runtime"
  lake_bucket_name = "acme-medallion-test-lake"
  artifact_version = "4e26c98"
  log_group_name   = "/aws/emr-serverless/medallion-test"
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  spark_conf = {
    "spark.delta.logStore.s3a.impl" = "io.delta.storage.S3DynamoDBLogStore"
  }
  kafka_bootstrap_servers = "b-1.example:9098,b-2.example:9098"
  glue_databases = {
    bronze  = "test_bronze"
    silver  = "test_silver"
    gold    = "test_gold"
    _system = "test_medallion_system"
  }
}

run "artifacts_are_addressed_by_version" {
  command = plan

  assert {
    condition     = output.jar_uri == "s3://acme-medallion-test-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    error_message = "The jar must be s3://<bucket>/artifacts/<version>/medallion-jobs-spark.jar."
  }

  assert {
    condition     = output.pipeline_uri == "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml"
    error_message = "The pipeline spec must be s3://<bucket>/artifacts/<version>/pipeline.yaml."
  }

  assert {
    condition     = output.lake_root == "s3a://acme-medallion-test-lake"
    error_message = "The lake root must be the bucket root over s3a://."
  }

  assert {
    condition     = output.artifact_uri == "s3://acme-medallion-test-lake/artifacts/4e26c98/"
    error_message = "Each version must have its own artifacts folder."
  }
}

run "streaming_request_runs_the_jar_in_streaming_mode" {
  command = plan

  assert {
    condition     = jsondecode(output.streaming_job_run_request).mode == "STREAMING" && jsondecode(output.streaming_job_run_request).executionTimeoutMinutes == 0
    error_message = "The ingest job must be a STREAMING job run without a time limit."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPoint == output.jar_uri
    error_message = "The streaming job must run the jar of artifact_version."
  }

  assert {
    condition = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments == [
      "run",
      "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml",
      "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=test_bronze",
      "--glue-database", "silver=test_silver",
      "--glue-database", "gold=test_gold",
      "--glue-database", "_system=test_medallion_system",
      "--bootstrap-servers", "b-1.example:9098,b-2.example:9098",
      "--kafka-auth", "aws-msk-iam",
    ]
    error_message = "The streaming job's arguments must be exactly: run --pipeline <spec> --lake-root s3a://<bucket> --catalog glue --glue-database bronze=<db> silver=<db> gold=<db> _system=<db> --bootstrap-servers <brokers> --kafka-auth aws-msk-iam."
  }

  assert {
    condition     = !strcontains(output.streaming_job_run_request, "--kafka-conf") && !strcontains(output.streaming_job_run_request, "sasl.")
    error_message = "The MSK IAM settings come from --kafka-auth aws-msk-iam: the streaming request must carry no --kafka-conf and no SASL setting."
  }

  assert {
    condition = output.spark_kafka_options == {
      "kafka.security.protocol"                  = "SASL_SSL"
      "kafka.sasl.mechanism"                     = "AWS_MSK_IAM"
      "kafka.sasl.jaas.config"                   = "software.amazon.msk.auth.iam.IAMLoginModule required;"
      "kafka.sasl.client.callback.handler.class" = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    }
    error_message = "The Spark Kafka options must configure MSK IAM authentication over SASL_SSL."
  }

  assert {
    condition     = startswith(jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters, "--class io.medallion.jobs.Main ")
    error_message = "The main class must be io.medallion.jobs.Main."
  }

  assert {
    condition     = strcontains(jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters, "--conf spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore")
    error_message = "spark_conf must be passed with --conf."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).retryPolicy.maxFailedAttemptsPerHour == 5
    error_message = "The streaming job must restart from its checkpoint after a failure, a bounded number of times per hour."
  }

  assert {
    condition = jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.cloudWatchLoggingConfiguration == {
      enabled             = true
      logGroupName        = "/aws/emr-serverless/medallion-test"
      logStreamNamePrefix = "medallion-test-streaming"
      encryptionKeyArn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "The streaming job must log to the job log group, encrypted with the project key."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).tags["medallion:artifact-version"] == "4e26c98"
    error_message = "The job run must be tagged with its artifact version."
  }
}

# The deploy step before the streaming job: `topics --create` against the
# same cluster with the same authentication, as a batch run with a time limit.
run "topics_request_creates_the_spec_topics_in_a_batch_run" {
  command = plan

  assert {
    condition = jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments == [
      "topics", "--create",
      "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml",
      "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=test_bronze",
      "--glue-database", "silver=test_silver",
      "--glue-database", "gold=test_gold",
      "--glue-database", "_system=test_medallion_system",
      "--bootstrap-servers", "b-1.example:9098,b-2.example:9098",
      "--kafka-auth", "aws-msk-iam",
    ]
    error_message = "The topics job's arguments must be exactly: topics --create --pipeline <spec> --lake-root s3a://<bucket> --catalog glue --glue-database LAYER=<db> (x4) --bootstrap-servers <brokers> --kafka-auth aws-msk-iam."
  }

  assert {
    condition = (
      jsondecode(output.topics_job_run_request).mode == "BATCH" &&
      jsondecode(output.topics_job_run_request).executionTimeoutMinutes == 30 &&
      jsondecode(output.topics_job_run_request).name == "medallion-test-topics" &&
      !can(jsondecode(output.topics_job_run_request).retryPolicy)
    )
    error_message = "The topics job must be a BATCH run named medallion-test-topics with a 30-minute limit (no streaming retry policy)."
  }

  assert {
    condition = (
      jsondecode(output.topics_job_run_request).applicationId == "00abcdef12345678" &&
      jsondecode(output.topics_job_run_request).executionRoleArn == "arn:aws:iam::123456789012:role/medallion-test-job-runtime" &&
      jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPoint == "s3://acme-medallion-test-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    )
    error_message = "The topics job must run the versioned jar on the application as the job role (which may create the pipeline topics)."
  }

  assert {
    condition     = jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters == jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters
    error_message = "The topics job must run with the streaming job's Spark settings (main class, Delta jars, metrics)."
  }

  assert {
    condition = jsondecode(output.topics_job_run_request).configurationOverrides.monitoringConfiguration.cloudWatchLoggingConfiguration == {
      enabled             = true
      logGroupName        = "/aws/emr-serverless/medallion-test"
      logStreamNamePrefix = "medallion-test-topics"
      encryptionKeyArn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "The topics job must log to the job log group, encrypted with the project key."
  }

  assert {
    condition     = jsondecode(output.topics_job_run_request).tags == { "medallion:artifact-version" = "4e26c98", "medallion:job" = "topics" }
    error_message = "The topics job run must be tagged with its artifact version and medallion:job = topics."
  }
}

run "batch_jobs_aggregate_once_then_maintain" {
  command = plan

  assert {
    condition     = output.batch_job_names == ["aggregate", "maintain"]
    error_message = "By default the batch runs aggregate, then maintain."
  }

  assert {
    condition = output.batch_state_machine_parameters["aggregate"].JobDriver.SparkSubmit.EntryPointArguments == [
      "aggregate", "--once", "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml", "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=test_bronze",
      "--glue-database", "silver=test_silver",
      "--glue-database", "gold=test_gold",
      "--glue-database", "_system=test_medallion_system",
    ]
    error_message = "The aggregate job must run: aggregate --once --pipeline <spec> --lake-root <root> --catalog glue --glue-database LAYER=<db> (x4)."
  }

  assert {
    condition     = output.batch_state_machine_parameters["maintain"].JobDriver.SparkSubmit.EntryPointArguments[0] == "maintain"
    error_message = "The maintain job must run the maintain command."
  }

  assert {
    condition = alltrue([
      for p in values(output.batch_state_machine_parameters) :
      p.JobDriver.SparkSubmit.EntryPoint == output.jar_uri && p.ExecutionTimeoutMinutes == 120 && p.ExecutionRoleArn == var.job_role_arn
    ])
    error_message = "Every batch job must run the versioned jar as the job role, with a time limit."
  }

  assert {
    condition     = !strcontains(jsonencode(output.batch_state_machine_parameters), "bootstrap-servers") && !strcontains(jsonencode(output.batch_state_machine_parameters), "--kafka-")
    error_message = "Batch jobs read Delta tables only; they get no Kafka arguments."
  }
}

run "without_kafka_the_streaming_job_gets_no_kafka_arguments" {
  command = plan

  variables {
    kafka_bootstrap_servers = null
  }

  assert {
    condition = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments == [
      "run", "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml", "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=test_bronze",
      "--glue-database", "silver=test_silver",
      "--glue-database", "gold=test_gold",
      "--glue-database", "_system=test_medallion_system",
    ]
    error_message = "Without a Kafka cluster only the command, pipeline, lake root and catalog arguments are passed (no --bootstrap-servers, no --kafka-auth)."
  }

  assert {
    condition     = output.topics_job_run_request == null
    error_message = "Without a Kafka cluster there are no topics to create: no topics request."
  }
}

# Every job run registers the tables it writes in Glue: --catalog glue once,
# and one --glue-database LAYER=NAME for each of bronze, silver, gold and
# _system, with the names it was given, and no other --glue-database.
run "every_job_run_registers_its_tables_in_glue" {
  command = plan

  assert {
    condition = output.catalog_arguments == [
      "--catalog", "glue",
      "--glue-database", "bronze=test_bronze",
      "--glue-database", "silver=test_silver",
      "--glue-database", "gold=test_gold",
      "--glue-database", "_system=test_medallion_system",
    ]
    error_message = "The catalog arguments must be --catalog glue, then --glue-database LAYER=NAME for bronze, silver, gold and _system with the given databases."
  }

  assert {
    condition = alltrue([
      for args in concat(
        [jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [for p in values(output.batch_state_machine_parameters) : p.JobDriver.SparkSubmit.EntryPointArguments],
        ) : (
        length([for i, a in args : i if a == "--catalog" && try(args[i + 1], "") == "glue"]) == 1 &&
        length([for a in args : a if a == "--catalog"]) == 1 &&
        [for i, a in args : args[i + 1] if a == "--glue-database"] == ["bronze=test_bronze", "silver=test_silver", "gold=test_gold", "_system=test_medallion_system"]
      )
    ])
    error_message = "Every job run (streaming, topics, each batch job) must pass --catalog glue once and --glue-database bronze=, silver=, gold=, _system= with the given databases, and no other --glue-database."
  }

  assert {
    condition     = length(output.batch_state_machine_parameters) == 2 && output.topics_job_run_request != null
    error_message = "The check above must have covered the topics job and both batch jobs."
  }
}

run "every_job_runs_with_spark_metrics_on" {
  command = plan

  assert {
    condition = alltrue([
      for params in concat(
        [jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters],
        [for p in values(output.batch_state_machine_parameters) : p.JobDriver.SparkSubmit.SparkSubmitParameters],
        ) : alltrue([
          strcontains(params, "--conf spark.sql.streaming.metricsEnabled=true"),
          strcontains(params, "--conf spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet"),
          strcontains(params, "--conf spark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus"),
          strcontains(params, "--conf spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore"),
      ])
    ])
    error_message = "Every job run (streaming and batch) must turn on the streaming query metrics and the PrometheusServlet sink at /metrics/prometheus, besides spark_conf."
  }
}

# EMR Serverless puts Delta on a job's classpath only when the job asks for
# its jars: delta-spark, delta-storage and the S3 DynamoDB LogStore's.
run "every_job_puts_emr_delta_jars_on_the_classpath" {
  command = plan

  assert {
    condition     = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters == "--class io.medallion.jobs.Main --conf spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore --conf spark.jars=/usr/share/aws/delta/lib/delta-spark.jar,/usr/share/aws/delta/lib/delta-storage.jar,/usr/share/aws/delta/lib/delta-storage-s3-dynamodb.jar --conf spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet --conf spark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus --conf spark.sql.streaming.metricsEnabled=true"
    error_message = "The streaming job's sparkSubmitParameters must be the main class, then spark_conf, EMR's Delta jars (spark.jars) and the metrics settings as --conf, sorted by key."
  }

  assert {
    condition = alltrue([
      for p in values(output.batch_state_machine_parameters) :
      contains(split(" ", p.JobDriver.SparkSubmit.SparkSubmitParameters), "spark.jars=/usr/share/aws/delta/lib/delta-spark.jar,/usr/share/aws/delta/lib/delta-storage.jar,/usr/share/aws/delta/lib/delta-storage-s3-dynamodb.jar")
    ])
    error_message = "Every batch job must pass --conf spark.jars=<EMR's delta-spark, delta-storage and delta-storage-s3-dynamodb jars>."
  }

  assert {
    condition     = output.batch_state_machine_parameters["aggregate"].JobDriver.SparkSubmit.SparkSubmitParameters == jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters
    error_message = "The batch jobs must run with the same Spark settings as the streaming job."
  }
}

run "spark_conf_can_override_the_delta_jars" {
  command = plan

  variables {
    spark_conf = { "spark.jars" = "/opt/delta/delta-spark.jar" }
  }

  assert {
    condition = (
      contains(split(" ", jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters), "spark.jars=/opt/delta/delta-spark.jar") &&
      length(regexall("spark\\.jars=", jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters)) == 1
    )
    error_message = "A spark.jars in spark_conf must replace the module's, not be passed next to it."
  }
}

run "job_runs_remote_write_metrics_to_prometheus" {
  command = plan

  variables {
    prometheus_remote_write_url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/api/v1/remote_write"
  }

  assert {
    condition = jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.prometheusMonitoringConfiguration == {
      remoteWriteUrl = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/api/v1/remote_write"
    }
    error_message = "The streaming job run must carry the workspace's remote write URL (prometheusMonitoringConfiguration.remoteWriteUrl)."
  }

  assert {
    condition = alltrue([
      for p in values(output.batch_state_machine_parameters) :
      p.ConfigurationOverrides.MonitoringConfiguration.PrometheusMonitoringConfiguration.RemoteWriteUrl == var.prometheus_remote_write_url
    ])
    error_message = "Every batch job run must carry the workspace's remote write URL."
  }

  assert {
    condition = (
      jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.cloudWatchLoggingConfiguration.encryptionKeyArn == var.kms_key_arn &&
      alltrue([for p in values(output.batch_state_machine_parameters) : p.ConfigurationOverrides.MonitoringConfiguration.CloudWatchLoggingConfiguration.EncryptionKeyArn == var.kms_key_arn])
    )
    error_message = "With Prometheus the job runs must still log to the encrypted log group."
  }
}

run "without_prometheus_the_job_runs_log_only_to_cloudwatch" {
  command = plan

  assert {
    condition = (
      keys(jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration) == ["cloudWatchLoggingConfiguration"] &&
      alltrue([for p in values(output.batch_state_machine_parameters) : keys(p.ConfigurationOverrides.MonitoringConfiguration) == ["CloudWatchLoggingConfiguration"]])
    )
    error_message = "Without prometheus_remote_write_url the job runs must have no Prometheus monitoring configuration."
  }
}

run "rejects_remote_write_url_outside_managed_prometheus" {
  command = plan

  variables {
    prometheus_remote_write_url = "https://prometheus.example.com/api/v1/write"
  }

  expect_failures = [var.prometheus_remote_write_url]
}

run "rejects_branch_name_as_artifact_version" {
  command = plan

  variables {
    artifact_version = "main"
  }

  expect_failures = [var.artifact_version]
}

run "rejects_short_artifact_version" {
  command = plan

  variables {
    artifact_version = "4e26c9"
  }

  expect_failures = [var.artifact_version]
}

run "rejects_upper_case_artifact_version" {
  command = plan

  variables {
    artifact_version = "4E26C98"
  }

  expect_failures = [var.artifact_version]
}

run "rejects_spark_conf_with_whitespace" {
  command = plan

  variables {
    spark_conf = { "spark.driver.extraJavaOptions" = "-Da=1 -Db=2" }
  }

  expect_failures = [var.spark_conf]
}

run "rejects_batch_job_without_time_limit" {
  command = plan

  variables {
    batch_jobs = [{ name = "aggregate", arguments = ["aggregate", "--once"], timeout_minutes = 0 }]
  }

  expect_failures = [var.batch_jobs]
}

run "rejects_topics_job_without_time_limit" {
  command = plan

  variables {
    topics_timeout_minutes = 0
  }

  expect_failures = [var.topics_timeout_minutes]
}

run "rejects_glue_databases_without_the_system_layer" {
  command = plan

  variables {
    glue_databases = { bronze = "bronze", silver = "silver", gold = "gold" }
  }

  expect_failures = [var.glue_databases]
}

run "rejects_glue_databases_of_an_unknown_layer" {
  command = plan

  variables {
    glue_databases = { bronze = "bronze", silver = "silver", gold = "gold", system = "medallion_system" }
  }

  expect_failures = [var.glue_databases]
}
