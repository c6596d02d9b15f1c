# What a CI pipeline needs to ship Medallion: publish artifacts to the lake's
# artifacts prefix, start and follow job runs on one EMR Serverless
# application, pass the job runtime role to EMR Serverless, and run the batch
# state machine for the smoke test; nothing else.
#
# Every statement names its resources; there is no "*" resource and no "*"
# action in this module.

data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.lake_bucket_name}"

  policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ListArtifacts"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.bucket_arn]
        Condition = {
          StringLike = { "s3:prefix" = ["${var.artifacts_prefix}*"] }
        }
      },
      {
        Sid    = "PublishArtifacts"
        Effect = "Allow"
        Action = [
          "s3:AbortMultipartUpload",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ]
        Resource = ["${local.bucket_arn}/${var.artifacts_prefix}*"]
      },
      {
        Sid    = "EncryptArtifactsViaS3"
        Effect = "Allow"
        Action = [
          "kms:Decrypt",
          "kms:GenerateDataKey",
        ]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com" }
        }
      },
      {
        Sid    = "RunJobsOnApplication"
        Effect = "Allow"
        Action = [
          "emr-serverless:CancelJobRun",
          "emr-serverless:GetApplication",
          "emr-serverless:GetDashboardForJobRun",
          "emr-serverless:GetJobRun",
          "emr-serverless:ListJobRuns",
          "emr-serverless:StartApplication",
          "emr-serverless:StartJobRun",
        ]
        Resource = [var.application_arn, "${var.application_arn}/jobruns/*"]
      },
      {
        # Job runs are tagged with their artifact version when they start.
        Sid      = "TagJobRunsOnApplication"
        Effect   = "Allow"
        Action   = ["emr-serverless:TagResource"]
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
    ], local.state_machine_statements)
  }

  # The smoke test runs the batch state machine once and follows the execution.
  state_machine_statements = var.state_machine_arn == null ? [] : [
    {
      Sid      = "StartBatchStateMachine"
      Effect   = "Allow"
      Action   = ["states:StartExecution"]
      Resource = [var.state_machine_arn]
    },
    {
      Sid      = "FollowBatchExecutions"
      Effect   = "Allow"
      Action   = ["states:DescribeExecution", "states:StopExecution"]
      Resource = ["${replace(var.state_machine_arn, ":stateMachine:", ":execution:")}:*"]
    },
  ]
}

resource "aws_iam_policy" "this" {
  name        = "${var.name}-job-submitter"
  description = "Medallion CI: publish artifacts, run jobs on the EMR Serverless application, pass only the job role"
  policy      = jsonencode(local.policy)
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset(var.attach_to_role_names)

  role       = each.value
  policy_arn = aws_iam_policy.this.arn
}
