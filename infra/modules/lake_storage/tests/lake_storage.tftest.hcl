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
    condition     = aws_s3_bucket_versioning.logs.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be enabled on the access-log bucket (not suspended): overwritten or deleted logs stay recoverable until they expire."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.logs.rule :
      r.status == "Enabled" && try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 14 && try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7
    ])
    error_message = "The access-log bucket must expire noncurrent versions and abort incomplete multipart uploads."
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
    condition = (
      aws_s3_bucket_logging.this.bucket == "medallion-test-lake" &&
      aws_s3_bucket_logging.this.target_prefix == "s3/medallion-test-lake/" &&
      aws_s3_bucket.this.bucket == "medallion-test-lake" &&
      aws_s3_bucket.logs.bucket == "medallion-test-lake-access-logs"
    )
    error_message = "The lake bucket (medallion-test-lake) must log under s3/<lake bucket>/ into its own access-log bucket, <lake bucket>-access-logs."
  }

  assert {
    condition = [
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement : [s.Action, s.Resource, s.Condition]
      if s.Effect == "Allow"
      ] == [[
        "s3:PutObject",
        "arn:aws:s3:::medallion-test-lake-access-logs/s3/medallion-test-lake/*",
        { ArnLike = { "aws:SourceArn" = "arn:aws:s3:::medallion-test-lake" }, StringEquals = { "aws:SourceAccount" = "123456789012" } },
    ]]
    error_message = "The S3 logging service may only put the lake bucket's logs, under its prefix, for this account."
  }
}

run "rejects_log_bucket_that_is_the_lake_bucket" {
  command = plan

  variables {
    log_bucket_name = "medallion-test-lake"
  }

  expect_failures = [var.log_bucket_name]
}

run "kms_key_rotates_with_explicit_policy_and_no_open_principal" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "KMS key rotation must be enabled."
  }

  assert {
    condition = [for s in jsondecode(aws_kms_key.this.policy).Statement : s.Sid] == [
      "AccountIamPoliciesMayGrantKeyUse",
      "CloudWatchLogsEncryptLogGroups",
      "CloudWatchAlarmsPublishToEncryptedTopics",
    ]
    error_message = "The KMS key must have the module's explicit key policy: account IAM policies, CloudWatch Logs, CloudWatch alarms (and key administrators when given), nothing else."
  }

  assert {
    condition = [
      for s in jsondecode(aws_kms_key.this.policy).Statement : s.Principal
      if s.Sid == "AccountIamPoliciesMayGrantKeyUse"
    ] == [{ AWS = "arn:aws:iam::123456789012:root" }]
    error_message = "The only AWS principal of the key policy (without administrators) must be this account's root, through which IAM policies grant key use."
  }

  assert {
    condition = [
      for s in jsondecode(aws_kms_key.this.policy).Statement : s.Condition
      if try(s.Principal.Service, "") == "logs.eu-west-1.amazonaws.com"
      ] == [{
        ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:eu-west-1:123456789012:log-group:*" }
    }]
    error_message = "CloudWatch Logs may use the key only for log groups of this account and region (kms:EncryptionContext:aws:logs:arn = arn:aws:logs:eu-west-1:123456789012:log-group:*)."
  }

  assert {
    condition = [
      for s in jsondecode(aws_kms_key.this.policy).Statement : s.Condition
      if try(s.Principal.Service, "") == "cloudwatch.amazonaws.com"
      ] == [{
        StringEquals = { "aws:SourceAccount" = "123456789012" }
        ArnLike      = { "aws:SourceArn" = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" }
    }]
    error_message = "CloudWatch alarms may use the key only for alarms of this account and region."
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

run "no_destroy_guard_by_default" {
  command = plan

  assert {
    condition     = length(terraform_data.destroy_guard) == 0 && output.destroy_protected == false
    error_message = "Without prevent_destroy there must be no destroy guard."
  }
}

run "destroy_guard_protects_the_key_and_both_buckets" {
  command = plan

  variables {
    prevent_destroy = true
  }

  override_resource {
    target          = aws_s3_bucket.this
    override_during = plan
    values          = { arn = "arn:aws:s3:::medallion-test-lake" }
  }

  override_resource {
    target          = aws_s3_bucket.logs
    override_during = plan
    values          = { arn = "arn:aws:s3:::medallion-test-lake-access-logs" }
  }

  assert {
    condition     = length(terraform_data.destroy_guard) == 1 && output.destroy_protected == true
    error_message = "With prevent_destroy there must be a destroy guard (a terraform_data with lifecycle.prevent_destroy)."
  }

  assert {
    condition = terraform_data.destroy_guard[0].triggers_replace == {
      kms_key     = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      lake_bucket = "arn:aws:s3:::medallion-test-lake"
      log_bucket  = "arn:aws:s3:::medallion-test-lake-access-logs"
    }
    error_message = "The guard must be replaced (and so refuse the plan) whenever the KMS key, the lake bucket or the access-log bucket is replaced."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30 && aws_s3_bucket.this.force_destroy == false && aws_s3_bucket.logs.force_destroy == false
    error_message = "A protected key keeps the maximum deletion window (30 days), and protected buckets are never force-destroyed."
  }
}

run "rejects_destroy_guard_with_force_destroy" {
  command = plan

  variables {
    prevent_destroy = true
    force_destroy   = true
  }

  expect_failures = [var.prevent_destroy]
}

run "rejects_destroy_guard_with_a_short_key_deletion_window" {
  command = plan

  variables {
    prevent_destroy             = true
    kms_deletion_window_in_days = 7
  }

  expect_failures = [var.prevent_destroy]
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
