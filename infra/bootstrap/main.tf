# The S3 bucket holding the Terraform state of envs/dev and envs/prod, the KMS
# key that encrypts it, and the bucket that receives its S3 server access
# logs. Locking uses S3 conditional writes (backend "s3" with
# use_lockfile = true), so no DynamoDB lock table is needed.
#
# All three are created once per account and never destroyed by Terraform
# (lifecycle.prevent_destroy): losing them loses every environment's state.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Project   = "medallion"
      ManagedBy = "terraform"
      Purpose   = "terraform-state"
    })
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"

  log_bucket_name = coalesce(var.log_bucket_name, "${var.state_bucket_name}-access-logs")

  bucket_arn        = "arn:${local.partition}:s3:::${var.state_bucket_name}"
  log_bucket_arn    = "arn:${local.partition}:s3:::${local.log_bucket_name}"
  access_log_prefix = "s3/${var.state_bucket_name}/"

  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
}

################################################################################
# KMS key of the state
################################################################################

# The environments' backends name this key by its alias (kms_key_id in
# envs/shared/versions.tf), so the state and lock files are written with
# SSE-KMS under it. Whoever runs Terraform in an environment needs
# kms:GenerateDataKey and kms:Decrypt on it, granted by IAM policies (the key
# policy lets IAM policies of this account grant its use).
resource "aws_kms_key" "state" {
  description             = "Medallion Terraform state in s3://${var.state_bucket_name}"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # In a key policy, Resource "*" means "this key"; KMS requires it.
        # Actions are listed: administration and use, never "kms:*".
        Sid       = "AccountIamPoliciesMayGrantKeyUse"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:CancelKeyDeletion",
          "kms:Create*",
          "kms:Decrypt",
          "kms:Delete*",
          "kms:Describe*",
          "kms:Disable*",
          "kms:Enable*",
          "kms:Encrypt",
          "kms:GenerateDataKey*",
          "kms:Get*",
          "kms:List*",
          "kms:Put*",
          "kms:ReEncrypt*",
          "kms:Revoke*",
          "kms:RotateKeyOnDemand",
          "kms:ScheduleKeyDeletion",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:Update*",
        ]
        Resource = "*"
      },
    ]
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "state" {
  name          = var.state_kms_key_alias
  target_key_id = aws_kms_key.state.key_id
}

################################################################################
# State bucket
################################################################################

resource "aws_s3_bucket" "this" {
  bucket = var.state_bucket_name

  lifecycle {
    prevent_destroy = true
  }
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

# SSE-KMS with the state key by default; the backends also ask for it
# explicitly (encrypt = true with kms_key_id), and the bucket policy refuses
# writes that ask for SSE-S3 instead.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
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
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
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
    Version = "2012-10-17"
    Statement = [
      merge(local.deny_insecure_transport, { Resource = [local.bucket_arn, "${local.bucket_arn}/*"] }),
      {
        # A backend configured with encrypt = true but without kms_key_id
        # asks for SSE-S3 and would bypass the state key; refuse it. Writes
        # without an encryption header get the bucket default (SSE-KMS).
        Sid       = "DenySseS3Writes"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${local.bucket_arn}/*"
        Condition = { StringEquals = { "s3:x-amz-server-side-encryption" = "AES256" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# Access-log bucket
################################################################################

resource "aws_s3_bucket" "logs" {
  bucket = local.log_bucket_name

  lifecycle {
    prevent_destroy = true
  }
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
      days_after_initiation = 7
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
        # The S3 logging service may write only the state bucket's logs, only
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
      merge(local.deny_insecure_transport, { Resource = [local.log_bucket_arn, "${local.log_bucket_arn}/*"] }),
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.logs]
}
