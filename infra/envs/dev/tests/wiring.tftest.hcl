# The dev environment: the shared root (../shared, linked here) with dev's
# name and the "small" preset (environment.tf). The wiring and the presets
# themselves are tested in modules/platform/tests. Plan only, with a mocked
# AWS provider.

mock_provider "aws" {
  override_during = plan
  source          = "../../modules/platform/tests/mocks"
}

variables {
  aws_region             = "eu-west-1"
  lake_bucket_name       = "acme-medallion-dev-lake"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]
  artifact_version       = "4e26c98"
}

run "outputs_for_ci" {
  command = plan

  assert {
    condition     = output.lake_bucket_name == "acme-medallion-dev-lake"
    error_message = "lake_bucket_name output must be the lake bucket."
  }

  assert {
    condition     = output.artifacts_uri == "s3://acme-medallion-dev-lake/artifacts/"
    error_message = "artifacts_uri must point at the artifacts prefix."
  }

  assert {
    condition     = output.athena_workgroup_name == "medallion-dev-analysts"
    error_message = "The workgroup name must derive from project and environment."
  }

  assert {
    condition     = output.delta_spark_conf["spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName"] == "medallion-dev-delta-log"
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
}

run "dev_sizing_and_retention" {
  command = plan

  assert {
    condition     = module.platform.sizing.emr_maximum_capacity == { cpu = "16 vCPU", memory = "64 GB", disk = "200 GB" }
    error_message = "dev's EMR maximum capacity is 16 vCPU / 64 GB / 200 GB."
  }

  assert {
    condition     = module.platform.sizing.noncurrent_version_expiration_days == 7 && module.platform.sizing.log_retention_in_days == 30
    error_message = "dev keeps noncurrent lake versions 7 days and logs 30 days."
  }

  assert {
    condition     = module.platform.sizing.athena_bytes_scanned_cutoff_per_query == 10737418240
    error_message = "dev's Athena per-query scan limit is 10 GiB."
  }

  assert {
    condition     = module.platform.sizing.deletion_protection == false
    error_message = "dev's deletion protection changed."
  }

  assert {
    condition     = module.platform.destroy_protected == false
    error_message = "dev's KMS key and buckets are not guarded (dev can be torn down)."
  }
}

run "dev_kafka_and_batch_jobs" {
  command = plan

  assert {
    condition     = module.platform.sizing.msk_broker_instance_type == "kafka.t3.small" && module.platform.sizing.msk_number_of_broker_nodes == 3 && module.platform.sizing.msk_ebs_volume_size_gb == 100
    error_message = "dev's MSK default is 3 kafka.t3.small brokers with 100 GiB each."
  }

  assert {
    condition     = output.jar_uri == "s3://acme-medallion-dev-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    error_message = "The jobs must run the jar of artifact_version."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).name == "medallion-dev-streaming" && jsondecode(output.streaming_job_run_request).mode == "STREAMING"
    error_message = "The streaming job run must be named after the environment and run in STREAMING mode."
  }

  assert {
    condition     = output.batch_state_machine_arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-dev-batch"
    error_message = "The batch state machine must be named after the environment."
  }
}

# The topics come from the repository's pipeline spec
# (pipelines/engagement/pipeline.yaml, read through pipeline_spec_file's
# default): its sources' topics plays, impressions and titles, and no other,
# reach the job role's policy. A change of the spec's topics fails here until
# this list is changed with it.
run "job_role_topics_are_the_repository_specs" {
  command = plan

  assert {
    condition     = output.kafka_topics == tolist(["impressions", "plays", "titles"])
    error_message = "The topics must be the sources' topics of pipelines/engagement/pipeline.yaml: impressions, plays, titles."
  }

  assert {
    condition = {
      for s in jsondecode(module.platform.emr_job_policy).Statement : s.Sid => { actions = toset(flatten([s.Action])), resources = toset(flatten([s.Resource])) }
      if anytrue([for a in flatten([s.Action]) : contains(["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], a)])
      } == {
      ReadPipelineTopics = {
        actions = toset(["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"])
        resources = toset([
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/plays",
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/impressions",
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/titles",
        ])
      }
      CreatePipelineTopics = {
        actions = toset(["kafka-cluster:CreateTopic"])
        resources = toset([
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/plays",
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/impressions",
          "arn:aws:kafka:eu-west-1:123456789012:topic/mocked/11111111-2222-3333-4444-555555555555-1/titles",
        ])
      }
    }
    error_message = "The job role may describe and read (ReadPipelineTopics) and create (CreatePipelineTopics) exactly the spec's topics plays, impressions and titles of dev's cluster, in no other statement."
  }

  assert {
    condition     = jsondecode(output.topics_job_run_request).name == "medallion-dev-topics" && slice(jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments, 0, 4) == ["topics", "--create", "--pipeline", "s3://acme-medallion-dev-lake/artifacts/4e26c98/pipeline.yaml"]
    error_message = "dev's topics job must create the topics of the published spec of artifact_version."
  }
}

run "dev_system_database_and_job_metrics" {
  command = plan

  assert {
    condition     = output.glue_system_database_name == "medallion_system" && output.operators_role_arn == null
    error_message = "The event log's Glue database must default to medallion_system, with no operators role unless operators are named."
  }

  assert {
    condition     = output.prometheus_remote_write_url != null && jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl == output.prometheus_remote_write_url
    error_message = "dev's streaming job must send its Spark metrics to the environment's Prometheus workspace."
  }
}

# The jobs register every table in the Glue databases the environment
# creates: the streaming and topics requests and the batch tasks pass
# --catalog glue and the four databases (the defaults here), and the job role
# may register tables in exactly those.
run "dev_job_runs_register_their_tables_in_the_environments_databases" {
  command = plan

  assert {
    condition = alltrue([
      for args in concat(
        [jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [jsondecode(output.topics_job_run_request).jobDriver.sparkSubmit.entryPointArguments],
        [for p in values(module.platform.batch_state_machine_parameters) : p.JobDriver.SparkSubmit.EntryPointArguments],
        ) : (
        length([for i, a in args : i if a == "--catalog" && try(args[i + 1], "") == "glue"]) == 1 &&
        [for i, a in args : args[i + 1] if a == "--glue-database"] == [
          "bronze=${output.glue_database_names.bronze}",
          "silver=${output.glue_database_names.silver}",
          "gold=${output.glue_database_names.gold}",
          "_system=${output.glue_system_database_name}",
        ] &&
        [for i, a in args : args[i + 1] if a == "--glue-database"] == ["bronze=bronze", "silver=silver", "gold=gold", "_system=medallion_system"]
      )
    ])
    error_message = "dev's job runs must pass --catalog glue and --glue-database bronze=bronze, silver=silver, gold=gold, _system=medallion_system: the environment's Glue databases."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(module.platform.emr_job_policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/bronze",
      "arn:aws:glue:eu-west-1:123456789012:database/silver",
      "arn:aws:glue:eu-west-1:123456789012:database/gold",
      "arn:aws:glue:eu-west-1:123456789012:database/medallion_system",
      "arn:aws:glue:eu-west-1:123456789012:table/bronze/*",
      "arn:aws:glue:eu-west-1:123456789012:table/silver/*",
      "arn:aws:glue:eu-west-1:123456789012:table/gold/*",
      "arn:aws:glue:eu-west-1:123456789012:table/medallion_system/*",
    ])
    error_message = "dev's job role may register tables in its four Glue databases (bronze, silver, gold, medallion_system) and no other."
  }
}

run "partly_given_capacity_keeps_dev_defaults" {
  command = plan

  variables {
    emr_maximum_capacity = { cpu = "8 vCPU" }
  }

  assert {
    condition     = module.platform.sizing.emr_maximum_capacity == { cpu = "8 vCPU", memory = "64 GB", disk = "200 GB" }
    error_message = "Capacity attributes left out must keep dev's defaults."
  }
}

run "rejects_invalid_region" {
  command = plan

  variables {
    aws_region = "Ireland"
  }

  expect_failures = [var.aws_region]
}
