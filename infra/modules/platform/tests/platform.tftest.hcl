# The platform module wires lake_storage, emr_serverless, catalog and
# job_submitter together and exposes what CI needs. Plan only, with a mocked
# AWS provider.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  environment            = "test"
  project                = "medallion"
  lake_bucket_name       = "acme-medallion-test-lake"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0123456789abcdef0"]
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]

  emr_maximum_capacity = {
    cpu    = "16 vCPU"
    memory = "64 GB"
    disk   = "200 GB"
  }
  noncurrent_version_expiration_days    = 7
  log_retention_in_days                 = 30
  athena_bytes_scanned_cutoff_per_query = 10737418240
  deletion_protection                   = false
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
    glue_database_names = {
      bronze = "test_bronze"
      silver = null
      gold   = null
    }
  }

  assert {
    condition     = output.glue_database_names == { bronze = "test_bronze", silver = "silver", gold = "gold" }
    error_message = "Database names left null must fall back to silver and gold."
  }

  assert {
    condition     = output.emr_log_group_name == "/aws/emr-serverless/medallion-test"
    error_message = "The job log group must be named after project and environment."
  }
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
