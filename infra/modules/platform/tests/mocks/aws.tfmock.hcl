# Mocked AWS values shared by the platform and environment tests: plan-time
# ARNs and IDs that the modules' input validations accept.

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
    id  = "00abcdef12345678"
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

mock_resource "aws_msk_configuration" {
  defaults = {
    arn             = "arn:aws:kafka:eu-west-1:123456789012:configuration/mocked/11111111-2222-3333-4444-555555555555-1"
    latest_revision = 1
  }
}

mock_resource "aws_msk_cluster" {
  defaults = {
    arn                        = "arn:aws:kafka:eu-west-1:123456789012:cluster/mocked/11111111-2222-3333-4444-555555555555-1"
    bootstrap_brokers_sasl_iam = "b-1.mocked.kafka.eu-west-1.amazonaws.com:9098,b-2.mocked.kafka.eu-west-1.amazonaws.com:9098"
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:mocked"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:mocked"
  }
}

mock_resource "aws_prometheus_workspace" {
  defaults = {
    id                  = "ws-11111111-2222-3333-4444-555555555555"
    arn                 = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-11111111-2222-3333-4444-555555555555"
    prometheus_endpoint = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/"
  }
}
