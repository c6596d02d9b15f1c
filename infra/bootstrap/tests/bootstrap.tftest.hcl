# The state bucket is private, encrypted with its own KMS key, TLS-only,
# versioned and logged to a hardened access-log bucket. Plan only, with a
# mocked AWS provider.

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

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"
      key_id = "99999999-8888-7777-6666-555555555555"
    }
  }
}

variables {
  aws_region        = "eu-west-1"
  state_bucket_name = "acme-medallion-tfstate"
}

run "state_bucket_is_hardened" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public-access-block flags must be true on the state bucket."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "The state bucket must be versioned."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be off on the state bucket."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false" &&
      toset(flatten([s.Resource])) == toset(["arn:aws:s3:::acme-medallion-tfstate", "arn:aws:s3:::acme-medallion-tfstate/*"])
    ])
    error_message = "The state bucket policy must deny non-TLS requests on the bucket and its objects."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.this.rule :
      r.status == "Enabled" && try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 90 && try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7
    ])
    error_message = "Old state versions must expire (after 90 days by default) and incomplete uploads be aborted."
  }
}

run "state_is_encrypted_with_its_own_kms_key" {
  command = plan

  assert {
    condition = (
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    )
    error_message = "The state bucket must default to SSE-KMS with the state key, with bucket keys."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:PutObject" && s.Resource == "arn:aws:s3:::acme-medallion-tfstate/*" &&
      s.Condition == { StringEquals = { "s3:x-amz-server-side-encryption" = "AES256" } }
    ])
    error_message = "The state bucket must refuse writes that ask for SSE-S3 instead of the state key (a backend with encrypt = true but no kms_key_id)."
  }

  assert {
    condition     = aws_kms_key.state.enable_key_rotation == true && aws_kms_key.state.deletion_window_in_days == 30
    error_message = "The state key must rotate and keep the maximum deletion window (30 days)."
  }

  assert {
    condition = [
      for s in jsondecode(aws_kms_key.state.policy).Statement : [s.Effect, s.Principal, s.Resource]
    ] == [["Allow", { AWS = "arn:aws:iam::123456789012:root" }, "*"]]
    error_message = "The state key policy must have one statement: this account's IAM policies may grant its use (no other principal, no \"*\" principal)."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_kms_key.state.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && a != "kms:*"
      ]
    ]))
    error_message = "The state key policy must list its actions, not \"*\" or \"kms:*\"."
  }

  assert {
    condition     = aws_kms_alias.state.name == "alias/medallion-terraform-state" && aws_kms_alias.state.target_key_id == "99999999-8888-7777-6666-555555555555"
    error_message = "The state key's alias must be the one the environments' backends name (kms_key_id in envs/shared/versions.tf)."
  }

  assert {
    condition     = output.state_kms_key_alias == "alias/medallion-terraform-state" && output.state_kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"
    error_message = "The state key's alias and ARN must be outputs."
  }
}

run "state_bucket_access_is_logged_to_a_hardened_log_bucket" {
  command = plan

  assert {
    condition = (
      aws_s3_bucket_logging.this.bucket == "acme-medallion-tfstate" &&
      aws_s3_bucket_logging.this.target_bucket == "acme-medallion-tfstate-access-logs" &&
      aws_s3_bucket_logging.this.target_prefix == "s3/acme-medallion-tfstate/" &&
      aws_s3_bucket.logs.bucket == "acme-medallion-tfstate-access-logs"
    )
    error_message = "The state bucket must log its access under s3/<state bucket>/ into <state bucket>-access-logs."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.logs.block_public_acls,
      aws_s3_bucket_public_access_block.logs.block_public_policy,
      aws_s3_bucket_public_access_block.logs.ignore_public_acls,
      aws_s3_bucket_public_access_block.logs.restrict_public_buckets,
      one(aws_s3_bucket_ownership_controls.logs.rule).object_ownership == "BucketOwnerEnforced",
      one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256",
      aws_s3_bucket_versioning.logs.versioning_configuration[0].status == "Enabled",
    ])
    error_message = "The access-log bucket must be private, ACL-free, encrypted (SSE-S3, the only option S3 access logging supports) and versioned."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.logs.rule :
      r.status == "Enabled" && try(r.expiration[0].days, 0) == 365 && try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 90
    ])
    error_message = "Access logs must expire (after 365 days by default), old versions too."
  }

  assert {
    condition = [
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement : [s.Principal, s.Action, s.Resource, s.Condition]
      if s.Effect == "Allow"
      ] == [[
        { Service = "logging.s3.amazonaws.com" },
        "s3:PutObject",
        "arn:aws:s3:::acme-medallion-tfstate-access-logs/s3/acme-medallion-tfstate/*",
        { ArnLike = { "aws:SourceArn" = "arn:aws:s3:::acme-medallion-tfstate" }, StringEquals = { "aws:SourceAccount" = "123456789012" } },
    ]]
    error_message = "Only the S3 logging service may write to the access-log bucket, only the state bucket's logs, for this account."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement :
      s.Effect == "Deny" && s.Action == "s3:*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "The access-log bucket policy must deny non-TLS requests."
  }
}

run "rejects_non_dns_safe_state_bucket_name" {
  command = plan

  variables {
    state_bucket_name = "Terraform_State"
  }

  expect_failures = [var.state_bucket_name]
}

run "rejects_state_bucket_name_too_long_for_its_log_bucket" {
  command = plan

  variables {
    state_bucket_name = "acme-medallion-terraform-state-with-a-very-long-name"
  }

  expect_failures = [var.state_bucket_name]
}

run "rejects_log_bucket_that_is_the_state_bucket" {
  command = plan

  variables {
    log_bucket_name = "acme-medallion-tfstate"
  }

  expect_failures = [var.state_bucket_name]
}

run "rejects_aws_managed_alias" {
  command = plan

  variables {
    state_kms_key_alias = "alias/aws/s3"
  }

  expect_failures = [var.state_kms_key_alias]
}

run "no_ci_identity_without_a_repository" {
  command = plan

  assert {
    condition     = length(module.ci_identity) == 0 && output.ci_deploy_role_arns == {} && output.github_oidc_provider_arn == null
    error_message = "Without github_repository the bootstrap must create no CI identity."
  }
}

# The CI identity's deploy roles reach this bootstrap's state bucket and key,
# each only its environment's state object (modules/ci_identity/tests check
# the trust policies in full).
run "ci_deploy_roles_use_this_state_bucket_and_key" {
  command = plan

  variables {
    github_repository = "acme/medallion"
    ci_deploy_ref     = "refs/heads/main"
  }

  assert {
    condition     = output.ci_deploy_role_names == { dev = "medallion-dev-deploy", prod = "medallion-prod-deploy" }
    error_message = "The bootstrap must create the deploy roles medallion-dev-deploy and medallion-prod-deploy (ci_environments defaults to dev and prod)."
  }

  assert {
    condition = {
      for s in jsondecode(module.ci_identity[0].deploy_state_policies["prod"]).Statement : s.Sid => s.Resource
      } == {
      ListStateBucket           = ["arn:aws:s3:::acme-medallion-tfstate"]
      ReadWriteEnvironmentState = ["arn:aws:s3:::acme-medallion-tfstate/medallion/prod/terraform.tfstate"]
      LockEnvironmentState      = ["arn:aws:s3:::acme-medallion-tfstate/medallion/prod/terraform.tfstate.tflock"]
      UseStateKey               = ["arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"]
    }
    error_message = "prod's deploy role must reach this bootstrap's state bucket, prod's state key medallion/prod/terraform.tfstate (ci/lib.sh's) and its lock file, and this bootstrap's state KMS key."
  }

  assert {
    condition     = module.ci_identity[0].deploy_subjects == { dev = "repo:acme/medallion:environment:dev", prod = "repo:acme/medallion:environment:prod" }
    error_message = "The deploy roles must trust the GitHub environments dev and prod of acme/medallion."
  }
}
