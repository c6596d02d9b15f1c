# Security properties of the catalog module, checked on a plan with a mocked
# AWS provider (no credentials, no network).

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
}

variables {
  name                   = "medallion-test"
  lake_bucket_name       = "medallion-test-lake"
  kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  analyst_principal_arns = ["arn:aws:iam::123456789012:role/analysts-sso"]
}

run "glue_databases_for_each_layer" {
  command = plan

  assert {
    condition     = toset([for db in aws_glue_catalog_database.this : db.name]) == toset(["bronze", "silver", "gold"])
    error_message = "There must be exactly the bronze, silver and gold Glue databases."
  }

  assert {
    condition     = aws_glue_catalog_database.this["gold"].location_uri == "s3://medallion-test-lake/gold/"
    error_message = "The gold database must be located at the gold prefix of the lake bucket."
  }
}

run "glue_catalog_is_encrypted_with_project_key" {
  command = plan

  assert {
    condition     = aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].encryption_at_rest[0].catalog_encryption_mode == "SSE-KMS"
    error_message = "The Glue Data Catalog must be encrypted at rest with SSE-KMS."
  }

  assert {
    condition     = aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].encryption_at_rest[0].sse_aws_kms_key_id == var.kms_key_arn
    error_message = "The Glue Data Catalog must use the project KMS key."
  }

  assert {
    condition     = aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].connection_password_encryption[0].return_connection_password_encrypted
    error_message = "Glue connection passwords must be returned encrypted."
  }
}

run "athena_workgroup_is_enforced_encrypted_and_limited" {
  command = plan

  variables {
    bytes_scanned_cutoff_per_query = 1073741824
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].enforce_workgroup_configuration == true
    error_message = "The Athena workgroup configuration must be enforced (clients cannot override it)."
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS"
    error_message = "Athena results must be encrypted with SSE_KMS."
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == var.kms_key_arn
    error_message = "Athena results must be encrypted with the project KMS key."
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].result_configuration[0].output_location == "s3://medallion-test-lake/athena-results/"
    error_message = "Athena results must go to the athena-results prefix of the lake bucket."
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 1073741824
    error_message = "The bytes-scanned limit must come from bytes_scanned_cutoff_per_query."
  }
}

run "analysts_role_trusts_only_given_principals" {
  command = plan

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.analysts.assume_role_policy).Statement :
      s.Effect == "Allow" && keys(s.Principal) == ["AWS"] && toset(flatten([s.Principal.AWS])) == toset(var.analyst_principal_arns) && s.Action == "sts:AssumeRole"
    ])
    error_message = "Only the given analyst principals may assume the analysts role."
  }
}

run "analysts_read_only_gold_and_query_only_in_workgroup" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "The analysts policy must not allow \"*\" or \"<service>:*\" actions."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : [
        for r in flatten([s.Resource]) : r != "*"
      ]
    ]))
    error_message = "The analysts policy must not use a \"*\" resource."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:GetObject")
      ])) == toset([
      "arn:aws:s3:::medallion-test-lake/gold/*",
      "arn:aws:s3:::medallion-test-lake/athena-results/*",
    ])
    error_message = "Analysts may read only gold objects (and their own Athena results)."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:PutObject")
    ])) == toset(["arn:aws:s3:::medallion-test-lake/athena-results/*"])
    error_message = "Analysts may write only Athena results."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "athena:StartQueryExecution")
    ])) == toset(["arn:aws:athena:eu-west-1:123456789012:workgroup/medallion-test-analysts"])
    error_message = "Analysts may run queries only in the module's workgroup."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : [
        for r in flatten([s.Resource]) : !strcontains(r, "database/bronze") && !strcontains(r, "database/silver") && !strcontains(r, "/bronze/") && !strcontains(r, "/silver/")
      ]
    ]))
    error_message = "The analysts policy must not reach bronze or silver data or metadata."
  }
}

run "rejects_too_small_bytes_cutoff" {
  command = plan

  variables {
    bytes_scanned_cutoff_per_query = 1024
  }

  expect_failures = [var.bytes_scanned_cutoff_per_query]
}

run "rejects_wildcard_analyst_principal" {
  command = plan

  variables {
    analyst_principal_arns = ["*"]
  }

  expect_failures = [var.analyst_principal_arns]
}
