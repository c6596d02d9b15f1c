# Lake storage: one KMS-encrypted S3 bucket holding every layer under its own
# prefix, a project KMS key, and a separate bucket for S3 server access logs.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  log_bucket_name = coalesce(var.log_bucket_name, "${var.bucket_name}-access-logs")

  # ARNs are built from names so that they are known at plan time (policies
  # can then be reviewed in the plan and asserted in tests).
  bucket_arn     = "arn:${local.partition}:s3:::${var.bucket_name}"
  log_bucket_arn = "arn:${local.partition}:s3:::${local.log_bucket_name}"
  account_root   = "arn:${local.partition}:iam::${local.account_id}:root"

  access_log_prefix = "s3/${var.bucket_name}/"

  # Key administration without key use. Wildcards are action-name prefixes
  # within kms, never a bare "*".
  kms_admin_actions = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
  ]

  kms_use_actions = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
  ]

  kms_key_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # Lets IAM policies in this account grant use of the key (the job
          # role, the analysts role, CI). In a key policy, Resource "*" means
          # "this key"; KMS requires it.
          Sid       = "AccountIamPoliciesMayGrantKeyUse"
          Effect    = "Allow"
          Principal = { AWS = local.account_root }
          Action    = concat(local.kms_admin_actions, local.kms_use_actions)
          Resource  = "*"
        },
        {
          # CloudWatch Logs encrypts the project's log groups with this key,
          # only for log groups of this account and region.
          Sid       = "CloudWatchLogsEncryptLogGroups"
          Effect    = "Allow"
          Principal = { Service = "logs.${local.region}.amazonaws.com" }
          Action    = concat(local.kms_use_actions, ["kms:Describe*"])
          Resource  = "*"
          Condition = {
            ArnLike = {
              "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
            }
          }
        },
        {
          # CloudWatch alarms publish to the project's KMS-encrypted SNS
          # topics, only alarms of this account and region.
          Sid       = "CloudWatchAlarmsPublishToEncryptedTopics"
          Effect    = "Allow"
          Principal = { Service = "cloudwatch.amazonaws.com" }
          Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
          Resource  = "*"
          Condition = {
            StringEquals = { "aws:SourceAccount" = local.account_id }
            ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*" }
          }
        },
      ],
      length(var.kms_key_administrator_arns) == 0 ? [] : [
        {
          Sid       = "KeyAdministrators"
          Effect    = "Allow"
          Principal = { AWS = var.kms_key_administrator_arns }
          Action    = local.kms_admin_actions
          Resource  = "*"
        },
      ],
    )
  }

  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
}

################################################################################
# KMS
################################################################################

resource "aws_kms_key" "this" {
  description             = "Medallion lake key for ${var.bucket_name}: S3 objects, Glue catalog, Athena results, DynamoDB, CloudWatch Logs"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = jsonencode(local.kms_key_policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Destroy guard
################################################################################

# prevent_destroy must be a literal, so it cannot be switched per environment
# on the key and the buckets themselves. This guard carries it instead: it
# exists only with var.prevent_destroy, and it is replaced whenever the key or
# a bucket is replaced (their ARNs are unknown in such a plan). Any plan that
# destroys or replaces the key or a bucket, `terraform destroy` and turning
# the guard off included, therefore has to destroy the guard, and fails with
# "Instance cannot be destroyed". To really remove them, first
# `terraform state rm` the guard.
resource "terraform_data" "destroy_guard" {
  count = var.prevent_destroy ? 1 : 0

  triggers_replace = {
    kms_key     = aws_kms_key.this.arn
    lake_bucket = aws_s3_bucket.this.arn
    log_bucket  = aws_s3_bucket.logs.arn
  }

  lifecycle {
    prevent_destroy = true
  }
}

################################################################################
# Lake bucket
################################################################################

resource "aws_s3_bucket" "this" {
  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  # No object lock: lifecycle rules must be able to expire old versions, and
  # Delta's VACUUM must be able to delete files.
  object_lock_enabled = false
  tags                = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.bucket

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    # Removes delete markers left once all noncurrent versions are expired.
    expiration {
      expired_object_delete_marker = true
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.bucket
  target_bucket = aws_s3_bucket.logs.bucket
  target_prefix = local.access_log_prefix

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.bucket
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.deny_insecure_transport]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# One zero-byte marker object per prefix, so the layout is visible in the
# console and tools that list "folders" see it before the first job runs.
resource "aws_s3_object" "prefix" {
  for_each = var.prefixes

  bucket  = aws_s3_bucket.this.bucket
  key     = each.value
  content = ""

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this]
}

################################################################################
# Access-log bucket
################################################################################

resource "aws_s3_bucket" "logs" {
  bucket        = local.log_bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.bucket

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# S3 server access logging cannot deliver to a bucket whose default
# encryption is SSE-KMS; SSE-S3 is the only supported option for the target.
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.bucket

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.bucket

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.access_log_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.logs]
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.bucket
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The S3 logging service may write only the lake bucket's logs, only
        # under its prefix, only on behalf of this account.
        Sid       = "AllowS3ServerAccessLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${local.log_bucket_arn}/${local.access_log_prefix}*"
        Condition = {
          ArnLike      = { "aws:SourceArn" = local.bucket_arn }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [local.log_bucket_arn, "${local.log_bucket_arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.logs]
}
