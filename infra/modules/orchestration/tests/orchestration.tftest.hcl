# The batch state machine, its schedule, its alarm, and the scoping of their
# roles, checked on a plan with a mocked AWS provider.

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

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mocked-role"
    }
  }

  mock_resource "aws_sfn_state_machine" {
    defaults = {
      arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:medallion-test-alarms"
    }
  }
}

variables {
  name               = "medallion-test"
  application_id     = "00abcdef12345678"
  application_arn    = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00abcdef12345678"
  job_role_arn       = "arn:aws:iam::123456789012:role/medallion-test-job-runtime"
  lake_bucket_name   = "acme-medallion-test-lake"
  artifact_version   = "4e26c98"
  job_log_group_name = "/aws/emr-serverless/medallion-test"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  glue_databases     = { bronze = "bronze", silver = "silver", gold = "gold", _system = "medallion_system" }
}

run "state_machine_runs_each_batch_job_synchronously_with_bounded_retries" {
  command = plan

  assert {
    condition     = jsondecode(aws_sfn_state_machine.batch.definition).StartAt == "Run aggregate"
    error_message = "The batch must start with the aggregate job."
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      s.Resource == "arn:aws:states:::emr-serverless:startJobRun.sync" if s.Type == "Task"
    ])
    error_message = "Every task must start an EMR Serverless job run and wait for it (startJobRun.sync)."
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      length(s.Retry) == 1 && s.Retry[0].MaxAttempts >= 1 && s.Retry[0].MaxAttempts <= 5 && s.Retry[0].BackoffRate > 1 && s.Retry[0].MaxDelaySeconds > 0
      if s.Type == "Task"
    ])
    error_message = "Every task must retry a bounded number of times with exponential backoff."
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      s.Catch[0].ErrorEquals == ["States.ALL"] && jsondecode(aws_sfn_state_machine.batch.definition).States[s.Catch[0].Next].Type == "Fail"
      if s.Type == "Task"
    ])
    error_message = "Every task must catch all errors into a Fail state, so the execution fails and the alarm fires."
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      s.TimeoutSeconds > 0 && s.Parameters.ExecutionTimeoutMinutes > 0 if s.Type == "Task"
    ])
    error_message = "Every task and job run must have a time limit."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.batch.definition).States["Run aggregate"].Next == "Run maintain" && jsondecode(aws_sfn_state_machine.batch.definition).States["Run maintain"].Next == "Done"
    error_message = "aggregate must run before maintain, then the execution succeeds."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.batch.definition).States["Run aggregate"].Parameters.JobDriver.SparkSubmit.EntryPoint == "s3://acme-medallion-test-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    error_message = "The batch jobs must run the jar of artifact_version."
  }

  assert {
    condition     = aws_sfn_state_machine.batch.type == "STANDARD"
    error_message = "startJobRun.sync needs a STANDARD state machine."
  }

  assert {
    condition = (
      keys(output.batch_state_machine_parameters) == ["aggregate", "maintain"] &&
      output.batch_state_machine_parameters["aggregate"].JobDriver.SparkSubmit.EntryPointArguments == ["aggregate", "--once", "--pipeline", "s3://acme-medallion-test-lake/artifacts/4e26c98/pipeline.yaml", "--lake-root", "s3a://acme-medallion-test-lake", "--catalog", "glue", "--glue-database", "bronze=bronze", "--glue-database", "silver=silver", "--glue-database", "gold=gold", "--glue-database", "_system=medallion_system"] &&
      jsondecode(aws_sfn_state_machine.batch.definition).States["Run maintain"].Parameters.JobDriver.SparkSubmit.EntryPointArguments == output.batch_state_machine_parameters["maintain"].JobDriver.SparkSubmit.EntryPointArguments &&
      output.batch_state_machine_parameters["maintain"].JobDriver.SparkSubmit.EntryPointArguments[0] == "maintain"
    )
    error_message = "The batch_state_machine_parameters output must be the Parameters of the definition's tasks, by job name."
  }

  # The jobs register their tables in Glue: every task of the definition (what
  # Step Functions really starts) passes the catalog arguments.
  assert {
    condition = alltrue([
      for name, st in jsondecode(aws_sfn_state_machine.batch.definition).States : (
        length(regexall("\"--catalog\",\"glue\",\"--glue-database\",\"bronze=bronze\",\"--glue-database\",\"silver=silver\",\"--glue-database\",\"gold=gold\",\"--glue-database\",\"_system=medallion_system\"", jsonencode(st.Parameters.JobDriver.SparkSubmit.EntryPointArguments))) == 1
      ) if st.Type == "Task"
    ])
    error_message = "Every batch task must pass --catalog glue and --glue-database bronze=, silver=, gold=, _system= with the given databases."
  }
}

run "state_machine_role_is_scoped_to_the_application_and_job_role" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "The state machine policy must not allow \"*\" or \"<service>:*\" actions."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement :
      alltrue([for a in flatten([s.Action]) : startswith(a, "logs:")])
      if contains(flatten([s.Resource]), "*")
    ])
    error_message = "Only the CloudWatch Logs delivery actions (no resource-level permissions) may use a \"*\" resource."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "emr-serverless:StartJobRun")
    ])) == toset([var.application_arn])
    error_message = "The state machine may start job runs on the one application only."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement :
      flatten([s.Resource]) == [var.job_role_arn] && s.Condition.StringEquals["iam:PassedToService"] == "emr-serverless.amazonaws.com"
      if contains(flatten([s.Action]), "iam:PassRole")
    ])
    error_message = "iam:PassRole must be limited to the job role, passed to EMR Serverless only."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.state_machine.assume_role_policy).Statement :
      s.Principal == { Service = "states.amazonaws.com" } && s.Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    ])
    error_message = "Only Step Functions of this account may assume the state machine role."
  }
}

run "schedule_starts_the_state_machine_and_nothing_else" {
  command = plan

  assert {
    condition     = aws_scheduler_schedule.batch.target[0].arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch"
    error_message = "The schedule must target the batch state machine."
  }

  assert {
    condition     = aws_scheduler_schedule.batch.schedule_expression == "rate(1 hour)" && aws_scheduler_schedule.batch.state == "ENABLED"
    error_message = "The schedule must use batch_schedule_expression and be enabled."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.scheduler.policy).Statement == [
      {
        Sid      = "StartBatchStateMachine"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = ["arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch"]
      },
    ]
    error_message = "The scheduler role may only start executions of the batch state machine."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.scheduler.assume_role_policy).Statement :
      s.Principal == { Service = "scheduler.amazonaws.com" } && s.Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    ])
    error_message = "Only EventBridge Scheduler of this account may assume the scheduler role."
  }
}

run "failed_executions_raise_an_alarm_on_an_encrypted_topic" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.batch_failed.namespace == "AWS/States" &&
      aws_cloudwatch_metric_alarm.batch_failed.metric_name == "ExecutionsFailed" &&
      aws_cloudwatch_metric_alarm.batch_failed.dimensions["StateMachineArn"] == "arn:aws:states:eu-west-1:123456789012:stateMachine:medallion-test-batch" &&
      aws_cloudwatch_metric_alarm.batch_failed.threshold == 1 &&
      aws_cloudwatch_metric_alarm.batch_failed.comparison_operator == "GreaterThanOrEqualToThreshold"
    )
    error_message = "An alarm must fire on the first failed execution of the batch state machine."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.batch_failed.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:medallion-test-alarms"])
    error_message = "The alarm must notify the alarm topic."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "The alarm topic must be encrypted with the project KMS key."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_sns_topic_policy.alarms.policy).Statement :
      s.Principal == { Service = "cloudwatch.amazonaws.com" } && s.Condition.ArnLike["aws:SourceArn"] == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:medallion-test-batch-failed"
      if s.Effect == "Allow"
    ])
    error_message = "Only this module's alarm may publish to the topic."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_sns_topic_policy.alarms.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && contains(flatten([s.Action]), "sns:Publish") &&
      contains(flatten([s.Resource]), "arn:aws:sns:eu-west-1:123456789012:medallion-test-alarms") &&
      try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "The alarm topic policy must deny sns:Publish to everyone when aws:SecureTransport is false."
  }
}

run "state_machine_logs_are_encrypted_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.state_machine.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.state_machine.retention_in_days > 0
    error_message = "The state machine log group must be encrypted with the project key and have a finite retention."
  }

  assert {
    condition     = aws_sfn_state_machine.batch.logging_configuration[0].log_destination == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/medallion-test-batch:*"
    error_message = "The state machine must log to its own log group."
  }

  assert {
    condition = (
      length(aws_sfn_state_machine.batch.logging_configuration) == 1 &&
      aws_sfn_state_machine.batch.logging_configuration[0].level == "ALL" &&
      aws_sfn_state_machine.batch.logging_configuration[0].include_execution_data == true
    )
    error_message = "The state machine must log every execution event (level ALL, with execution data): logging must not be OFF or reduced."
  }
}

run "batch_and_streaming_job_runs_send_spark_metrics_to_prometheus" {
  command = plan

  variables {
    prometheus_remote_write_url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/api/v1/remote_write"
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      s.Parameters.ConfigurationOverrides.MonitoringConfiguration.PrometheusMonitoringConfiguration.RemoteWriteUrl == var.prometheus_remote_write_url
      if s.Type == "Task"
    ])
    error_message = "Every batch task's job run must remote-write its metrics to the workspace."
  }

  assert {
    condition = alltrue([
      for name, s in jsondecode(aws_sfn_state_machine.batch.definition).States :
      strcontains(s.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters, "--conf spark.sql.streaming.metricsEnabled=true") &&
      strcontains(s.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters, "--conf spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet")
      if s.Type == "Task"
    ])
    error_message = "Every batch task must run with Spark's metrics on and the PrometheusServlet sink."
  }

  assert {
    condition     = jsondecode(output.streaming_job_run_request).configurationOverrides.monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl == var.prometheus_remote_write_url
    error_message = "The streaming job run must remote-write its metrics to the workspace."
  }
}

run "outputs_the_streaming_request_of_the_version" {
  command = plan

  assert {
    condition     = jsondecode(output.streaming_job_run_request).jobDriver.sparkSubmit.entryPoint == "s3://acme-medallion-test-lake/artifacts/4e26c98/medallion-jobs-spark.jar"
    error_message = "The streaming request must run the jar of artifact_version."
  }
}

run "no_retries_when_asked" {
  command = plan

  variables {
    batch_retry_max_attempts = 0
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.batch.definition).States["Run aggregate"].Retry[0].MaxAttempts == 0
    error_message = "batch_retry_max_attempts = 0 must turn retries off."
  }
}

run "rejects_unbounded_retries" {
  command = plan

  variables {
    batch_retry_max_attempts = 10
  }

  expect_failures = [var.batch_retry_max_attempts]
}

run "rejects_malformed_schedule_expression" {
  command = plan

  variables {
    batch_schedule_expression = "every hour"
  }

  expect_failures = [var.batch_schedule_expression]
}
