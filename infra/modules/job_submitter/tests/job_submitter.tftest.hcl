# The CI policy can publish artifacts and run jobs, and pass only the job role,
# only to EMR Serverless. Plan mode, mocked provider.

mock_provider "aws" {
  override_during = plan

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
}

variables {
  name             = "medallion-test"
  lake_bucket_name = "medallion-test-lake"
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  application_arn  = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00abcdef12345678"
  job_role_arn     = "arn:aws:iam::123456789012:role/medallion-test-job-runtime"
}

run "pass_role_is_scoped_to_job_role_and_emr_serverless" {
  command = plan

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.this.policy).Statement :
      flatten([s.Resource]) == [var.job_role_arn] && s.Condition.StringEquals["iam:PassedToService"] == "emr-serverless.amazonaws.com"
      if contains(flatten([s.Action]), "iam:PassRole")
    ])
    error_message = "iam:PassRole must be limited to the job role and to emr-serverless.amazonaws.com."
  }

  assert {
    condition = length([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : s
      if contains(flatten([s.Action]), "iam:PassRole")
    ]) == 1
    error_message = "Exactly one statement may grant iam:PassRole."
  }
}

run "no_wildcards_and_writes_only_artifacts" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "The policy must not allow \"*\" or \"<service>:*\" actions."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : [
        for r in flatten([s.Resource]) : r != "*"
      ]
    ]))
    error_message = "The policy must not use a \"*\" resource."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:PutObject")
    ])) == toset(["arn:aws:s3:::medallion-test-lake/artifacts/*"])
    error_message = "CI may write only under the artifacts prefix."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "emr-serverless:StartJobRun")
      ])) == toset([
      var.application_arn,
      "${var.application_arn}/jobruns/*",
    ])
    error_message = "CI may start job runs only on the given application."
  }
}

run "smoke_test_may_run_only_the_batch_state_machine" {
  command = plan

  variables {
    state_machine_arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "states:")])
      ])) == toset([
      "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch",
      "arn:aws:states:eu-west-1:123456789012:execution:medallion-test-batch:*",
    ])
    error_message = "CI may start and follow executions of the batch state machine only."
  }
}

run "no_step_functions_permissions_without_a_state_machine" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.this.policy).Statement : [for a in flatten([s.Action]) : !startswith(a, "states:")]
    ]))
    error_message = "Without state_machine_arn the policy grants no Step Functions actions."
  }
}

run "rejects_non_application_arn" {
  command = plan

  variables {
    application_arn = "*"
  }

  expect_failures = [var.application_arn]
}
