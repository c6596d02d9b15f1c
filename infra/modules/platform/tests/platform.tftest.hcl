# The platform module wires lake_storage, emr_serverless, streaming,
# orchestration, catalog and job_submitter together and exposes what CI
# needs. Plan only, with a mocked AWS provider.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  environment            = "test"
  project                = "medallion"
  lake_bucket_name       = "acme-medallion-test-lake"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]
  artifact_version       = "4e26c98"
  size                   = "small"

  # A spec with the reference pipeline's three sources (only sources matter
  # here); envs/<env>/tests read the repository's spec itself.
  pipeline_spec = <<-YAML
    name: engagement
    sources:
      plays:
        topic: plays
        partitions: 2
      impressions:
        topic: impressions
        partitions: 2
      titles:
        topic: titles
        partitions: 1
  YAML
}

run "outputs_for_ci" {
  command = plan

  assert {
    condition     = output.lake_bucket_name == "acme-medallion-test-lake"
    error_message = "lake_bucket_name output must be the lake bucket."
  }

  assert {
    condition     = output.artifacts_uri == "s3://acme-medallion-test-lake/artifacts/"
    error_message = "artifacts_uri must point at the artifacts prefix."
  }

  assert {
    condition     = output.athena_workgroup_name == "medallion-test-analysts"
    error_message = "The workgroup name must derive from project and environment."
  }

  assert {
    condition     = output.delta_spark_conf["spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName"] == "medallion-test-delta-log"
    error_message = "The Delta LogStore Spark conf must name the environment's DynamoDB table."
  }

  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The KMS key ARN must be exposed for job-run log encryption."
  }

  assert {
    condition     = output.emr_application_id != null && output.emr_job_role_arn == "arn:aws:iam::123456789012:role/mocked-role"
    error_message = "The EMR application ID and job role ARN must be exposed for job submission."
  }

  assert {
    condition     = output.glue_database_names == { bronze = "bronze", silver = "silver", gold = "gold" }
    error_message = "Without glue_database_names the Glue databases must be bronze, silver and gold."
  }
}

run "streaming_job_reads_the_created_cluster_with_iam_auth" {
  command = plan

  assert {
    condition     = output.kafka_bootstrap_brokers == "b-1.mocked.kafka.eu-west-1.amazonaws.com:9098,b-2.mocked.kafka.eu-west-1.amazonaws.com:9098"
    error_message = "The bootstrap brokers must be the created cluster's SASL/IAM brokers."
  }

  assert {
    condition = tolist(output.kafka_topic_arns) == tolist([
      "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/impressions",
      "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/plays",
      "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/titles",
    ])
    error_message = "The job role's topics must be the spec's topics (impressions, plays, titles) of the created cluster."
  }

  assert {
    condition     = output.kafka_spark_options["kafka.sasl.mechanism"] == "AWS_MSK_IAM" && output.kafka_spark_options["kafka.security.protocol"] == "SASL_SSL"
    error_message = "The Spark Kafka options must use MSK IAM auth over SASL_SSL."
  }

  assert {
    condition = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments == [
      "run",
      "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml",
      "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=bronze",
      "--glue-database", "silver=silver",
      "--glue-database", "gold=gold",
      "--glue-database", "_system=medallion_system",
      "--bootstrap-servers", "b-1.mocked.kafka.eu-west-1.amazonaws.com:9098,b-2.mocked.kafka.eu-west-1.amazonaws.com:9098",
      "--kafka-auth", "aws-msk-iam",
    ]
    error_message = "The streaming job must get the created cluster's SASL/IAM brokers and MSK IAM auth: run --pipeline <spec> --lake-root <root> --catalog glue --glue-database LAYER=<db> (x4) --bootstrap-servers <brokers> --kafka-auth aws-msk-iam."
  }

  assert {
    condition     = !strcontains(output.streaming_job_run_request, "--kafka-conf")
    error_message = "The MSK IAM settings come from --kafka-auth aws-msk-iam, not --kafka-conf arguments."
  }

  assert {
    condition = jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments == [
      "topics", "--create",
      "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml",
      "--lake-root", "s3a://acme-medallion-test-lake",
      "--catalog", "glue",
      "--glue-database", "bronze=bronze",
      "--glue-database", "silver=silver",
      "--glue-database", "gold=gold",
      "--glue-database", "_system=medallion_system",
      "--bootstrap-servers", "b-1.mocked.kafka.eu-west-1.amazonaws.com:9098,b-2.mocked.kafka.eu-west-1.amazonaws.com:9098",
      "--kafka-auth", "aws-msk-iam",
    ]
    error_message = "The topics job must create the spec's topics on the created cluster with MSK IAM auth: topics --create --pipeline <spec> --lake-root <root> --catalog glue --glue-database LAYER=<db> (x4) --bootstrap-servers <brokers> --kafka-auth aws-msk-iam."
  }

  assert {
    condition     = jsondecode(output.topics_job_run_request).mode == "BATCH" && jsondecode(output.topics_job_run_request).executionRoleArn == "arn:aws:iam::123456789012:role/mocked-role"
    error_message = "The topics job must be a batch run as the job role (which may create the spec's topics)."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).applicationId == "00abcdef12345678" && jsondecode(output.streaming_job_run_request).executionRoleArn == output.emr_job_role_arn
    error_message = "The streaming job must run on the environment's application as the job role."
  }

  assert {
    condition     = strcontains(jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters, "--conf spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName=medallion-test-delta-log")
    error_message = "The jobs must get the Delta LogStore settings."
  }
}

# The topics come from the spec: a spec with two sources (one of them on a
# topic named unlike its source) gives the job role exactly those two topics,
# to describe, read and create, and nothing of the three-topic default.
run "job_role_topics_follow_the_pipeline_spec" {
  command = plan

  variables {
    pipeline_spec = <<-YAML
      name: clicks
      sources:
        clicks:
          topic: web.clicks
          partitions: 6
        orders:
          topic: orders-v2
    YAML
  }

  assert {
    condition     = output.kafka_topics == tolist(["orders-v2", "web.clicks"])
    error_message = "The topics must be the spec's source topics, orders-v2 and web.clicks."
  }

  assert {
    condition = [
      for s in jsondecode(output.emr_job_policy).Statement : { sid = s.Sid, actions = toset(flatten([s.Action])), resources = flatten([s.Resource]) }
      if anytrue([for a in flatten([s.Action]) : startswith(a, "kafka-cluster:") && strcontains(a, "Topic") || a == "kafka-cluster:ReadData"])
      ] == [
      {
        sid       = "ReadPipelineTopics"
        actions   = toset(["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"])
        resources = ["arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/orders-v2", "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/web.clicks"]
      },
      {
        sid       = "CreatePipelineTopics"
        actions   = toset(["kafka-cluster:CreateTopic"])
        resources = ["arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/orders-v2", "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/web.clicks"]
      },
    ]
    error_message = "The job role's topic statements must name exactly the spec's two topics: DescribeTopic and ReadData, and CreateTopic (for the deploy's topics job), on orders-v2 and web.clicks of the cluster."
  }
}

# A terraform.tfvars from before the spec decided the topics may still list
# them, as long as the list is the spec's.
run "kafka_topics_that_repeat_the_spec_are_accepted" {
  command = plan

  variables {
    kafka_topics = ["titles", "plays", "impressions"]
  }

  assert {
    condition     = output.kafka_topics == tolist(["impressions", "plays", "titles"])
    error_message = "A kafka_topics list equal to the spec's topics must change nothing."
  }
}

run "rejects_kafka_topics_that_differ_from_the_spec" {
  command = plan

  variables {
    kafka_topics = ["plays", "impressions"]
  }

  expect_failures = [var.kafka_topics]
}

run "rejects_a_spec_source_without_a_topic" {
  command = plan

  variables {
    pipeline_spec = <<-YAML
      sources:
        plays:
          partitions: 2
    YAML
  }

  expect_failures = [var.pipeline_spec]
}

run "rejects_a_spec_without_sources" {
  command = plan

  variables {
    pipeline_spec = "name: engagement"
  }

  expect_failures = [var.pipeline_spec]
}

# Delta commits through the S3 DynamoDB LogStore on the table emr_serverless
# creates (medallion-test-delta-log, in the mocked region eu-west-1), with
# EMR's Delta jars on the classpath: in the streaming request and in every
# batch task of the state machine.
run "every_job_run_commits_delta_through_the_dynamodb_log_store" {
  command = plan

  assert {
    condition = alltrue([
      for params in concat(
        [jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters],
        [for p in values(module.orchestration.batch_state_machine_parameters) : p.JobDriver.SparkSubmit.SparkSubmitParameters],
        ) : length(setsubtract([
          "spark.delta.logStore.s3.impl=io.delta.storage.S3DynamoDBLogStore",
          "spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore",
          "spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName=medallion-test-delta-log",
          "spark.io.delta.storage.S3DynamoDBLogStore.ddb.region=eu-west-1",
          "spark.jars=/usr/share/aws/delta/lib/delta-spark.jar,/usr/share/aws/delta/lib/delta-storage.jar,/usr/share/aws/delta/lib/delta-storage-s3-dynamodb.jar",
      ], split(" ", params))) == 0
    ])
    error_message = "Every job run (streaming and batch) must pass --conf spark.delta.logStore.s3(a).impl=io.delta.storage.S3DynamoDBLogStore, the LogStore table medallion-test-delta-log in eu-west-1, and spark.jars with EMR's delta-spark, delta-storage and delta-storage-s3-dynamodb jars."
  }

  assert {
    condition     = keys(module.orchestration.batch_state_machine_parameters) == ["aggregate", "maintain"]
    error_message = "The check above must have covered both batch tasks, aggregate and maintain."
  }

  assert {
    condition     = output.delta_spark_conf["spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName"] == module.emr_serverless.delta_log_store_table_name && module.emr_serverless.delta_log_store_table_name == "medallion-test-delta-log"
    error_message = "The LogStore table the jobs use must be the one emr_serverless creates (medallion-test-delta-log)."
  }
}

# One naming: the databases the catalog module creates are the ones every job
# run registers its tables in (--catalog glue --glue-database LAYER=NAME) and
# the ones the job role may register tables in; names given in part keep the
# defaults for the rest.
run "every_job_run_registers_its_tables_in_the_catalog_modules_databases" {
  command = plan

  variables {
    glue_database_names = { bronze = "test_bronze", gold = "test_gold", system = "test_medallion_system" }
  }

  assert {
    condition     = module.catalog.layer_databases == { bronze = "test_bronze", silver = "silver", gold = "test_gold", _system = "test_medallion_system" }
    error_message = "The catalog module must create test_bronze, silver, test_gold and test_medallion_system."
  }

  assert {
    condition = alltrue([
      for args in concat(
        [jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [for p in values(module.orchestration.batch_state_machine_parameters) : p.JobDriver.SparkSubmit.EntryPointArguments],
        ) : (
        length([for i, a in args : i if a == "--catalog" && try(args[i + 1], "") == "glue"]) == 1 &&
        [for i, a in args : args[i + 1] if a == "--glue-database"] == [
          "bronze=${module.catalog.database_names.bronze}",
          "silver=${module.catalog.database_names.silver}",
          "gold=${module.catalog.database_names.gold}",
          "_system=${module.catalog.system_database_name}",
        ] &&
        [for i, a in args : args[i + 1] if a == "--glue-database"] == ["bronze=test_bronze", "silver=silver", "gold=test_gold", "_system=test_medallion_system"]
      )
    ])
    error_message = "Every job run (streaming, topics, aggregate, maintain) must pass --catalog glue and --glue-database LAYER=NAME for bronze, silver, gold and _system with the names of the catalog module's databases."
  }

  assert {
    condition     = keys(module.orchestration.batch_state_machine_parameters) == ["aggregate", "maintain"]
    error_message = "The check above must have covered both batch tasks."
  }

  assert {
    condition = [
      for s in jsondecode(output.emr_job_policy).Statement : { actions = toset(flatten([s.Action])), resources = toset(flatten([s.Resource])) }
      if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ] == [
      {
        actions = toset(["glue:CreateTable", "glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"])
        resources = toset([
          "arn:aws:glue:eu-west-1:123456789012:catalog",
          "arn:aws:glue:eu-west-1:123456789012:database/test_bronze",
          "arn:aws:glue:eu-west-1:123456789012:database/silver",
          "arn:aws:glue:eu-west-1:123456789012:database/test_gold",
          "arn:aws:glue:eu-west-1:123456789012:database/test_medallion_system",
          "arn:aws:glue:eu-west-1:123456789012:table/test_bronze/*",
          "arn:aws:glue:eu-west-1:123456789012:table/silver/*",
          "arn:aws:glue:eu-west-1:123456789012:table/test_gold/*",
          "arn:aws:glue:eu-west-1:123456789012:table/test_medallion_system/*",
        ])
      },
    ]
    error_message = "The job role's one Glue statement must allow GetDatabase, GetTable, CreateTable and UpdateTable on the catalog and the four databases the catalog module creates (the system database included) and their tables, nothing else."
  }
}

run "artifacts_and_batch_orchestration_for_ci" {
  command = plan

  assert {
    condition     = output.jar_uri == "s3://acme-medallion-test-lake/artifacts/4e26c98/medallion-jobs-spark.jar" && output.pipeline_uri == "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml"
    error_message = "The jar and the spec must be addressed by artifact_version under the artifacts prefix."
  }

  assert {
    condition     = output.lake_root == "s3a://acme-medallion-test-lake"
    error_message = "The jobs' lake root must be the lake bucket."
  }

  assert {
    condition     = output.batch_state_machine_arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch" && output.batch_schedule_name == "medallion-test-batch"
    error_message = "The batch state machine and schedule must be named after project and environment."
  }

  assert {
    condition     = output.alarm_topic_arn == "arn:aws:sns:eu-west-1:123456789012:medallion-test-alarms"
    error_message = "The alarm topic must be exposed."
  }
}

run "system_database_is_apart_from_the_analysts" {
  command = plan

  assert {
    condition     = output.glue_system_database_name == "medallion_system"
    error_message = "Without glue_database_names the system database must be medallion_system."
  }

  assert {
    condition     = output.glue_database_names == { bronze = "bronze", silver = "silver", gold = "gold" }
    error_message = "glue_database_names must stay the layer databases."
  }

  assert {
    condition     = output.operators_role_arn == null && output.operators_athena_workgroup_name == null
    error_message = "Without operator_principal_arns there must be no operators role."
  }
}

run "operators_get_their_own_role_and_workgroup" {
  command = plan

  variables {
    operator_principal_arns = ["arn:aws:iam::123456789012:role/platform-oncall"]
    glue_database_names     = { system = "test_medallion_system" }
  }

  assert {
    condition     = output.operators_role_arn != null && output.operators_athena_workgroup_name == "medallion-test-operators"
    error_message = "With operator principals there must be an operators role and workgroup named after project and environment."
  }

  assert {
    condition     = output.glue_system_database_name == "test_medallion_system"
    error_message = "glue_database_names.system must name the system database."
  }
}

run "job_runs_send_spark_metrics_to_the_environment_workspace" {
  command = plan

  assert {
    condition     = output.prometheus_workspace_arn == "arn:aws:aps:eu-west-1:123456789012:workspace/ws-11111111-2222-3333-4444-555555555555"
    error_message = "The environment must have a Prometheus workspace for the job metrics."
  }

  assert {
    condition     = output.prometheus_remote_write_url == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/api/v1/remote_write"
    error_message = "The remote write URL must be the workspace's."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl == output.prometheus_remote_write_url
    error_message = "The streaming job run must remote-write its metrics to the environment's workspace."
  }

  assert {
    condition = (
      strcontains(jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters, "--conf spark.sql.streaming.metricsEnabled=true") &&
      strcontains(jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.sparkSubmitParameters, "--conf spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet")
    )
    error_message = "The streaming job must run with Spark's metrics on and the PrometheusServlet sink."
  }
}

run "without_a_prometheus_workspace_job_runs_only_log" {
  command = plan

  variables {
    create_prometheus_workspace = false
  }

  assert {
    condition     = output.prometheus_workspace_arn == null && output.prometheus_remote_write_url == null
    error_message = "With create_prometheus_workspace = false there must be no workspace."
  }

  assert {
    condition     = keys(jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration) == ["cloudWatchLoggingConfiguration"]
    error_message = "Without a workspace the streaming job run must only log to CloudWatch."
  }
}

run "existing_kafka_cluster_is_used_as_is" {
  command = plan

  variables {
    private_subnet_ids               = ["subnet-0123456789abcdef0"]
    existing_kafka_bootstrap_brokers = "b-1.shared.kafka.eu-west-1.amazonaws.com:9098"
    existing_kafka_cluster_arn       = "arn:aws:kafka:eu-west-1:123456789012:cluster/shared/22222222-3333-4444-5555-666666666666-2"
    kafka_cidr_blocks                = ["10.20.0.0/16"]
  }

  assert {
    condition     = output.kafka_bootstrap_brokers == "b-1.shared.kafka.eu-west-1.amazonaws.com:9098" && output.kafka_cluster_arn == "arn:aws:kafka:eu-west-1:123456789012:cluster/shared/22222222-3333-4444-5555-666666666666-2"
    error_message = "With an existing cluster its brokers and ARN must be used."
  }

  assert {
    condition = tolist(output.kafka_topic_arns) == tolist([
      "arn:aws:kafka:eu-west-1:123456789012:topic/shared/22222222-3333-4444-5555-666666666666-2/impressions",
      "arn:aws:kafka:eu-west-1:123456789012:topic/shared/22222222-3333-4444-5555-666666666666-2/plays",
      "arn:aws:kafka:eu-west-1:123456789012:topic/shared/22222222-3333-4444-5555-666666666666-2/titles",
    ])
    error_message = "The job role's topics must be the spec's topics of the existing cluster."
  }
}

# Environment roots pass null for optional inputs they leave unset; null must
# mean the default here, and partly given database names keep the rest.
run "null_optional_inputs_take_the_defaults" {
  command = plan

  variables {
    kafka_cidr_blocks              = null
    kms_key_administrator_arns     = null
    ci_role_names                  = null
    emr_release_label              = null
    manage_glue_catalog_encryption = null
    force_destroy                  = null
    msk_subnet_ids                 = null
    msk_kafka_version              = null
    kafka_topics                   = null
    batch_schedule_expression      = null
    alarm_email_addresses          = null
    operator_principal_arns        = null
    create_prometheus_workspace    = null
    glue_database_names = {
      bronze = "test_bronze"
      silver = null
      gold   = null
      system = null
    }
  }

  assert {
    condition     = output.glue_database_names == { bronze = "test_bronze", silver = "silver", gold = "gold" }
    error_message = "Database names left null must fall back to silver and gold."
  }

  assert {
    condition     = output.glue_system_database_name == "medallion_system" && output.operators_role_arn == null && output.prometheus_workspace_arn != null
    error_message = "Null system database name, operators and Prometheus switch must mean medallion_system, no operators, and a workspace."
  }

  assert {
    condition     = output.emr_log_group_name == "/aws/emr-serverless/medallion-test"
    error_message = "The job log group must be named after project and environment."
  }
}

# The two presets: dev is "small", prod "large". They differ in every sizing
# and retention value and in the protection of stateful resources.
run "small_preset_is_small_short_lived_and_unprotected" {
  command = plan

  assert {
    condition = output.sizing == {
      emr_maximum_capacity                  = { cpu = "16 vCPU", memory = "64 GB", disk = "200 GB" }
      noncurrent_version_expiration_days    = 7
      log_retention_in_days                 = 30
      athena_bytes_scanned_cutoff_per_query = 10737418240
      deletion_protection                   = false
      msk_broker_instance_type              = "kafka.t3.small"
      msk_number_of_broker_nodes            = 3
      msk_ebs_volume_size_gb                = 100
    }
    error_message = "The small preset changed: 16 vCPU / 64 GB / 200 GB, 7 days of old versions, 30 days of logs, 10 GiB per query, no deletion protection, 3 kafka.t3.small brokers with 100 GiB."
  }

  assert {
    condition     = output.destroy_protected == false
    error_message = "The small preset must not guard the key and buckets against destroy."
  }
}

run "large_preset_is_large_long_lived_and_protected" {
  command = plan

  variables {
    size = "large"
  }

  assert {
    condition = output.sizing == {
      emr_maximum_capacity                  = { cpu = "128 vCPU", memory = "512 GB", disk = "2000 GB" }
      noncurrent_version_expiration_days    = 30
      log_retention_in_days                 = 365
      athena_bytes_scanned_cutoff_per_query = 107374182400
      deletion_protection                   = true
      msk_broker_instance_type              = "kafka.m7g.large"
      msk_number_of_broker_nodes            = 3
      msk_ebs_volume_size_gb                = 1000
    }
    error_message = "The large preset changed: 128 vCPU / 512 GB / 2000 GB, 30 days of old versions, 365 days of logs, 100 GiB per query, deletion protection, 3 kafka.m7g.large brokers with 1000 GiB."
  }

  assert {
    condition     = output.destroy_protected == true
    error_message = "The large preset must guard the KMS key and the buckets against destroy and replacement."
  }
}

run "presets_differ_where_intended" {
  command = plan

  variables {
    size = "large"
  }

  assert {
    condition = alltrue([
      for k, v in output.sizing : v != {
        emr_maximum_capacity                  = { cpu = "16 vCPU", memory = "64 GB", disk = "200 GB" }
        noncurrent_version_expiration_days    = 7
        log_retention_in_days                 = 30
        athena_bytes_scanned_cutoff_per_query = 10737418240
        deletion_protection                   = false
        msk_broker_instance_type              = "kafka.t3.small"
        msk_ebs_volume_size_gb                = 100
      }[k] if k != "msk_number_of_broker_nodes"
    ])
    error_message = "Every sizing, retention and protection value except the broker count (3 in both: one per subnet, replication 3) must differ between the small and the large preset."
  }

  assert {
    condition     = output.sizing.log_retention_in_days >= 365 && output.sizing.noncurrent_version_expiration_days >= 30
    error_message = "The large preset keeps logs at least a year and old object versions at least 30 days."
  }
}

run "preset_values_can_be_overridden_one_by_one" {
  command = plan

  variables {
    size                  = "large"
    emr_maximum_capacity  = { cpu = "64 vCPU" }
    log_retention_in_days = 731
  }

  assert {
    condition     = output.sizing.emr_maximum_capacity == { cpu = "64 vCPU", memory = "512 GB", disk = "2000 GB" }
    error_message = "Capacity attributes left out must keep the preset's."
  }

  assert {
    condition     = output.sizing.log_retention_in_days == 731 && output.sizing.noncurrent_version_expiration_days == 30 && output.sizing.deletion_protection == true
    error_message = "An override must change only its own value."
  }
}

run "small_preset_with_deletion_protection_is_guarded" {
  command = plan

  variables {
    deletion_protection = true
  }

  assert {
    condition     = output.destroy_protected == true && output.sizing.deletion_protection == true
    error_message = "deletion_protection = true must guard the key and buckets whatever the preset."
  }
}

run "rejects_unknown_size" {
  command = plan

  variables {
    size = "medium"
  }

  expect_failures = [var.size]
}

run "rejects_force_destroy_in_a_protected_environment" {
  command = plan

  variables {
    size          = "large"
    force_destroy = true
  }

  expect_failures = [var.force_destroy]
}

run "rejects_bucket_name_too_long_for_log_bucket" {
  command = plan

  variables {
    lake_bucket_name = "acme-medallion-test-lake-with-a-name-longer-than-fifty-one"
  }

  expect_failures = [var.lake_bucket_name]
}

run "rejects_invalid_environment_name" {
  command = plan

  variables {
    environment = "Prod_1"
  }

  expect_failures = [var.environment]
}

run "rejects_empty_private_subnet_list" {
  command = plan

  variables {
    private_subnet_ids = []
  }

  expect_failures = [var.private_subnet_ids]
}

run "rejects_missing_analyst_principals" {
  command = plan

  variables {
    analyst_principal_arns = []
  }

  expect_failures = [var.analyst_principal_arns]
}
