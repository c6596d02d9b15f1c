# The prod environment: the shared root (../shared, linked here) with prod's
# name and the "large" preset (environment.tf). The wiring and the presets
# themselves are tested in modules/platform/tests. Plan only, with a mocked
# AWS provider.

mock_provider "aws" {
  override_during = plan
  source          = "../../modules/platform/tests/mocks"
}

variables {
  aws_region             = "eu-west-1"
  lake_bucket_name       = "acme-medallion-prod-lake"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]
  artifact_version       = "4e26c98"
}

run "outputs_for_ci" {
  command = plan

  assert {
    condition     = output.lake_bucket_name == "acme-medallion-prod-lake"
    error_message = "lake_bucket_name output must be the lake bucket."
  }

  assert {
    condition     = output.artifacts_uri == "s3://acme-medallion-prod-lake/artifacts/"
    error_message = "artifacts_uri must point at the artifacts prefix."
  }

  assert {
    condition     = output.athena_workgroup_name == "medallion-prod-analysts"
    error_message = "The workgroup name must derive from project and environment."
  }

  assert {
    condition     = output.delta_spark_conf["spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName"] == "medallion-prod-delta-log"
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

run "prod_sizing_and_retention" {
  command = plan

  assert {
    condition     = module.platform.sizing.emr_maximum_capacity == { cpu = "128 vCPU", memory = "512 GB", disk = "2000 GB" }
    error_message = "prod's EMR maximum capacity is 128 vCPU / 512 GB / 2000 GB."
  }

  assert {
    condition     = module.platform.sizing.noncurrent_version_expiration_days == 30 && module.platform.sizing.log_retention_in_days == 365
    error_message = "prod keeps noncurrent lake versions 30 days and logs 365 days."
  }

  assert {
    condition     = module.platform.sizing.athena_bytes_scanned_cutoff_per_query == 107374182400
    error_message = "prod's Athena per-query scan limit is 100 GiB."
  }

  assert {
    condition     = module.platform.sizing.deletion_protection == true
    error_message = "prod's deletion protection changed."
  }

  assert {
    condition     = module.platform.destroy_protected == true
    error_message = "prod's KMS key and buckets must be guarded against destroy and replacement."
  }
}

run "prod_kafka_and_batch_jobs" {
  command = plan

  assert {
    condition     = module.platform.sizing.msk_broker_instance_type == "kafka.m7g.large" && module.platform.sizing.msk_number_of_broker_nodes == 3 && module.platform.sizing.msk_ebs_volume_size_gb == 1000
    error_message = "prod's MSK default is 3 kafka.m7g.large brokers with 1000 GiB each."
  }

  assert {
    condition     = output.jar_uri == "s3://acme-medallion-prod-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    error_message = "The jobs must run the jar of artifact_version."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).name == "medallion-prod-streaming" && jsondecode(output.streaming_job_run_request).mode == "STREAMING"
    error_message = "The streaming job run must be named after the environment and run in STREAMING mode."
  }

  assert {
    condition     = output.batch_state_machine_arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-prod-batch"
    error_message = "The batch state machine must be named after the environment."
  }
}

run "prod_system_database_and_job_metrics" {
  command = plan

  assert {
    condition     = output.glue_system_database_name == "medallion_system" && output.operators_role_arn == null
    error_message = "The event log's Glue database must default to medallion_system, with no operators role unless operators are named."
  }

  assert {
    condition     = output.prometheus_remote_write_url != null && jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl == output.prometheus_remote_write_url
    error_message = "prod's streaming job must send its Spark metrics to the environment's Prometheus workspace."
  }
}

# The jobs register every table in the Glue databases the environment
# creates: the streaming and topics requests and the batch tasks pass
# --catalog glue and the four databases (the defaults here), and the job role
# may register tables in exactly those.
run "prod_job_runs_register_their_tables_in_the_environments_databases" {
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
    error_message = "prod's job runs must pass --catalog glue and --glue-database bronze=bronze, silver=silver, gold=gold, _system=medallion_system: the environment's Glue databases."
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
    error_message = "prod's job role may register tables in its four Glue databases (bronze, silver, gold, medallion_system) and no other."
  }
}

run "partly_given_capacity_keeps_prod_defaults" {
  command = plan

  variables {
    emr_maximum_capacity = { cpu = "8 vCPU" }
  }

  assert {
    condition     = module.platform.sizing.emr_maximum_capacity == { cpu = "8 vCPU", memory = "512 GB", disk = "2000 GB" }
    error_message = "Capacity attributes left out must keep prod's defaults."
  }
}

run "rejects_invalid_region" {
  command = plan

  variables {
    aws_region = "Ireland"
  }

  expect_failures = [var.aws_region]
}
