# Security properties of the lake storage module, checked on a plan with a
# mocked AWS provider (no credentials, no network).

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
}

variables {
  bucket_name = "medallion-test-lake"
}

run "public_access_is_blocked_on_both_buckets" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public-access-block flags must be true on the lake bucket."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.logs.block_public_acls,
      aws_s3_bucket_public_access_block.logs.block_public_policy,
      aws_s3_bucket_public_access_block.logs.ignore_public_acls,
      aws_s3_bucket_public_access_block.logs.restrict_public_buckets,
    ])
    error_message = "All four public-access-block flags must be true on the access-log bucket."
  }
}

run "lake_bucket_uses_sse_kms_with_project_key_and_bucket_keys" {
  command = plan

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "The lake bucket must default to SSE-KMS."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this.arn
    error_message = "The lake bucket must be encrypted with the project KMS key."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    error_message = "S3 bucket keys must be enabled on the lake bucket."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The access-log bucket must be encrypted (SSE-S3, the only option S3 access logging supports)."
  }
}

run "bucket_policies_deny_non_tls_requests" {
  command = plan

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Action == "s3:*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
      && contains(s.Resource, "arn:aws:s3:::medallion-test-lake") && contains(s.Resource, "arn:aws:s3:::medallion-test-lake/*")
    ])
    error_message = "The lake bucket policy must deny all requests where aws:SecureTransport is false, on the bucket and its objects."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement :
      s.Effect == "Deny" && s.Action == "s3:*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "The access-log bucket policy must deny non-TLS requests."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement :
      s.Effect == "Deny" || s.Principal == { Service = "logging.s3.amazonaws.com" }
    ])
    error_message = "The only principal the access-log bucket may allow is the S3 logging service."
  }
}

run "acls_are_disabled_by_bucket_owner_enforced" {
  command = plan

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "The lake bucket must enforce bucket-owner object ownership (ACLs off)."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.logs.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "The access-log bucket must enforce bucket-owner object ownership (ACLs off)."
  }
}

run "versioning_with_noncurrent_expiry_and_multipart_abort" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 14
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be enabled on the lake bucket."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.this.rule :
      r.status == "Enabled" && try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 14
    ])
    error_message = "An enabled lifecycle rule must expire noncurrent versions after noncurrent_version_expiration_days."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.this.rule :
      r.status == "Enabled" && try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7
    ])
    error_message = "An enabled lifecycle rule must abort incomplete multipart uploads."
  }

  assert {
    condition     = aws_s3_bucket.this.object_lock_enabled == false
    error_message = "Object lock must not be enabled on the lake bucket (lifecycle expiry must be able to remove old versions)."
  }
}

run "access_logging_goes_to_separate_log_bucket" {
  command = plan

  assert {
    condition     = aws_s3_bucket_logging.this.target_bucket == "medallion-test-lake-access-logs"
    error_message = "The lake bucket must log to the separate access-log bucket."
  }

  assert {
    condition     = aws_s3_bucket.logs.bucket != aws_s3_bucket.this.bucket
    error_message = "The access-log bucket must not be the lake bucket itself."
  }
}

run "kms_key_rotates_with_explicit_policy_and_no_open_principal" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "KMS key rotation must be enabled."
  }

  assert {
    condition     = length(jsondecode(aws_kms_key.this.policy).Statement) > 0
    error_message = "The KMS key must have an explicit key policy."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_kms_key.this.policy).Statement :
      s.Principal != "*" && try(s.Principal.AWS != "*", true) && !contains(try(flatten([s.Principal.AWS]), []), "*")
    ])
    error_message = "No KMS key policy statement may grant to the \"*\" principal."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_kms_key.this.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && a != "kms:*"
      ]
    ]))
    error_message = "The KMS key policy must list actions explicitly, not \"*\" or \"kms:*\"."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_kms_key.this.policy).Statement : can(s.Condition) if can(s.Principal.Service)
    ])
    error_message = "AWS services (CloudWatch Logs, CloudWatch alarms) may use the key only under conditions naming this account's resources."
  }
}

run "prefixes_are_exposed_as_outputs" {
  command = plan

  assert {
    condition = output.prefixes == {
      bronze                   = "bronze/"
      silver                   = "silver/"
      gold                     = "gold/"
      checkpoints              = "_checkpoints/"
      system                   = "_system/"
      artifacts                = "artifacts/"
      athena_results           = "athena-results/"
      operators_athena_results = "athena-results-operators/"
    }
    error_message = "Default per-layer prefixes changed unexpectedly."
  }

  assert {
    condition     = output.artifacts_uri == "s3://medallion-test-lake/artifacts/"
    error_message = "artifacts_uri must point at the artifacts prefix of the lake bucket."
  }
}

run "rejects_non_dns_safe_bucket_name" {
  command = plan

  variables {
    bucket_name = "Medallion_Lake"
  }

  expect_failures = [var.bucket_name]
}

run "rejects_too_long_bucket_name" {
  command = plan

  variables {
    bucket_name = "a-bucket-name-that-is-far-too-long-to-be-a-valid-s3-bucket-name-x"
  }

  expect_failures = [var.bucket_name]
}

run "rejects_zero_noncurrent_expiry_days" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}
