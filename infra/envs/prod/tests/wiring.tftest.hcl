# The prod environment wires the modules together and exposes what CI needs.
# Plan only, with a mocked AWS provider.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_id = "11111111-2222-3333-4444-555555555555"
    }
  }

  mock_resource "aws_emrserverless_application" {
    defaults = {
      arn = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00abcdef12345678"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mocked-role"
    }
  }

  mock_resource "aws_security_group" {
    defaults = {
      id = "sg-0123456789abcdef0"
    }
  }
}

variables {
  aws_region             = "eu-west-1"
  lake_bucket_name       = "acme-medallion-prod-lake"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0123456789abcdef0"]
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]
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

run "rejects_bucket_name_too_long_for_log_bucket" {
  command = plan

  variables {
    lake_bucket_name = "acme-medallion-prod-lake-with-a-name-longer-than-fifty-one"
  }

  expect_failures = [var.lake_bucket_name]
}
