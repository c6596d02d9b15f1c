# Runs the Medallion jobs: the batch jobs (aggregate, then maintain) in a Step
# Functions state machine that EventBridge Scheduler starts, with bounded
# retries and an alarm on failed executions; and the StartJobRun request of the
# long-running streaming job, which CI submits (ci/streaming.sh).
#
# IAM statements name their resources. The one "*" resource is CloudWatch Logs'
# log-delivery API, which has no resource-level permissions.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

module "jobs" {
  source = "../job_definitions"

  name                                   = var.name
  application_id                         = var.application_id
  job_role_arn                           = var.job_role_arn
  lake_bucket_name                       = var.lake_bucket_name
  artifacts_prefix                       = var.artifacts_prefix
  artifact_version                       = var.artifact_version
  spark_conf                             = var.spark_conf
  kafka_bootstrap_servers                = var.kafka_bootstrap_servers
  glue_databases                         = var.glue_databases
  log_group_name                         = var.job_log_group_name
  kms_key_arn                            = var.kms_key_arn
  prometheus_remote_write_url            = var.prometheus_remote_write_url
  batch_jobs                             = var.batch_jobs
  streaming_max_failed_attempts_per_hour = var.streaming_max_failed_attempts_per_hour
  tags                                   = var.tags
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  arn_prefix = "arn:${local.partition}:%s:${local.region}:${local.account_id}"

  # ARNs are built from names so that they are known at plan time: the
  # policies can be reviewed in the plan and asserted in tests.
  state_machine_name = "${var.name}-batch"
  state_machine_arn  = "${format(local.arn_prefix, "states")}:stateMachine:${local.state_machine_name}"
  schedule_name      = "${var.name}-batch"
  topic_name         = "${var.name}-alarms"
  topic_arn          = "${format(local.arn_prefix, "sns")}:${local.topic_name}"
  alarm_name         = "${var.name}-batch-failed"
  alarm_arn          = "${format(local.arn_prefix, "cloudwatch")}:alarm:${local.alarm_name}"
  # Step Functions delivers logs as "vended logs"; the /aws/vendedlogs/ prefix
  # keeps the log group's resource policy within its size limit.
  log_group_name = "/aws/vendedlogs/states/${local.state_machine_name}"
  log_group_arn  = "${format(local.arn_prefix, "logs")}:log-group:${local.log_group_name}"

  batch_job_names = module.jobs.batch_job_names

  task_state = { for j in local.batch_job_names : j => "Run ${j}" }

  definition = {
    Comment = "Medallion batch jobs ${join(", ", local.batch_job_names)} of artifact ${var.artifact_version}, one after the other"
    StartAt = local.task_state[local.batch_job_names[0]]
    States = merge(
      {
        for i, j in local.batch_job_names : local.task_state[j] => {
          Type       = "Task"
          Resource   = "arn:${local.partition}:states:::emr-serverless:startJobRun.sync"
          Parameters = module.jobs.batch_state_machine_parameters[j]
          # The job's own ExecutionTimeoutMinutes stops it first; this also
          # covers the time the application needs to start.
          TimeoutSeconds = (module.jobs.batch_job_timeouts_minutes[j] + 15) * 60
          ResultPath     = "$.${j}"
          # The jobs are idempotent, so a failed run is retried a bounded
          # number of times, later each time.
          Retry = [
            {
              ErrorEquals     = ["States.ALL"]
              IntervalSeconds = 60
              BackoffRate     = 2
              MaxAttempts     = var.batch_retry_max_attempts
              MaxDelaySeconds = 900
              JitterStrategy  = "FULL"
            },
          ]
          Catch = [
            {
              ErrorEquals = ["States.ALL"]
              ResultPath  = "$.error"
              Next        = "Batch failed"
            },
          ]
          Next = i + 1 < length(local.batch_job_names) ? local.task_state[local.batch_job_names[i + 1]] : "Done"
        }
      },
      {
        # A failed execution is what the alarm counts; the cause says which job
        # failed and why.
        "Batch failed" = {
          Type      = "Fail"
          Error     = "MedallionBatchJobFailed"
          CausePath = "$.error.Cause"
        }
        Done = { Type = "Succeed" }
      },
    )
  }

  state_machine_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "StartJobRunsOnApplication"
        Effect   = "Allow"
        Action   = ["emr-serverless:StartJobRun"]
        Resource = [var.application_arn]
      },
      {
        # .sync follows the run, cancels it when the task times out, and the
        # run is tagged with its artifact version when it starts.
        Sid      = "FollowJobRunsOnApplication"
        Effect   = "Allow"
        Action   = ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun", "emr-serverless:TagResource"]
        Resource = ["${var.application_arn}/jobruns/*"]
      },
      {
        Sid      = "PassJobRoleToEmrServerlessOnly"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = [var.job_role_arn]
        Condition = {
          StringEquals = { "iam:PassedToService" = "emr-serverless.amazonaws.com" }
        }
      },
      {
        # The managed rule through which .sync learns that a job run ended.
        Sid      = "ManagedJobRunEventsRule"
        Effect   = "Allow"
        Action   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
        Resource = ["${format(local.arn_prefix, "events")}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"]
      },
      {
        # The log-delivery API has no resource-level permissions.
        Sid    = "DeliverExecutionLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:DescribeLogGroups",
          "logs:DescribeResourcePolicies",
          "logs:GetLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:UpdateLogDelivery",
        ]
        Resource = "*"
      },
    ]
  }
}

################################################################################
# State machine
################################################################################

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "state_machine" {
  name        = "${var.name}-batch-state-machine"
  description = "Medallion batch state machine ${local.state_machine_name}: runs jobs on one EMR Serverless application"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "StepFunctionsOnly"
        Effect    = "Allow"
        Principal = { Service = "states.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = local.state_machine_arn }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "medallion-batch-jobs"
  role   = aws_iam_role.state_machine.id
  policy = jsonencode(local.state_machine_policy)
}

# STANDARD: .sync waits for the job runs, longer than an EXPRESS execution may last.
resource "aws_sfn_state_machine" "batch" {
  name       = local.state_machine_name
  type       = "STANDARD"
  role_arn   = aws_iam_role.state_machine.arn
  definition = jsonencode(local.definition)

  logging_configuration {
    log_destination        = "${local.log_group_arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tags = var.tags

  # The role's policy must exist before the first execution, and the log
  # group before Step Functions validates the logging configuration.
  depends_on = [aws_iam_role_policy.state_machine, aws_cloudwatch_log_group.state_machine]
}

################################################################################
# Schedule
################################################################################

resource "aws_iam_role" "scheduler" {
  name        = "${var.name}-batch-scheduler"
  description = "EventBridge Scheduler: starts the Medallion batch state machine ${local.state_machine_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "SchedulerOnly"
        Effect    = "Allow"
        Principal = { Service = "scheduler.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name = "start-batch-state-machine"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "StartBatchStateMachine"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = [local.state_machine_arn]
      },
    ]
  })
}

resource "aws_scheduler_schedule" "batch" {
  name                         = local.schedule_name
  description                  = "Starts the Medallion batch jobs"
  schedule_expression          = var.batch_schedule_expression
  schedule_expression_timezone = var.batch_schedule_timezone
  state                        = var.batch_schedule_enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.batch.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({})

    # A start that keeps failing is dropped after an hour: the next scheduled
    # run does the same work.
    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }
}

################################################################################
# Alarm
################################################################################

resource "aws_sns_topic" "alarms" {
  name              = local.topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudWatchAlarmsOfThisModule"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = local.topic_arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = local.alarm_arn }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:Publish"
        Resource  = local.topic_arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "batch_failed" {
  alarm_name        = local.alarm_name
  alarm_description = "A Medallion batch execution (${join(", ", local.batch_job_names)}) failed after its retries. See ${local.log_group_name} and the EMR Serverless job runs."

  namespace   = "AWS/States"
  metric_name = "ExecutionsFailed"
  dimensions  = { StateMachineArn = local.state_machine_arn }
  statistic   = "Sum"
  period      = 300

  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  # No executions in a period is not a failure.
  treat_missing_data = "notBreaching"

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]

  tags = var.tags
}
