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

run "system_database_is_at_the_system_prefix" {
  command = plan

  assert {
    condition     = aws_glue_catalog_database.system.name == "medallion_system"
    error_message = "The system database must default to medallion_system."
  }

  assert {
    condition     = aws_glue_catalog_database.system.location_uri == "s3://medallion-test-lake/_system/"
    error_message = "The system database must be located at the _system/ prefix of the lake bucket."
  }

  assert {
    condition     = output.system_database_name == "medallion_system"
    error_message = "The system database name must be an output."
  }
}

# The names the jobs get (--glue-database LAYER=NAME, through modules/platform)
# are the names of the databases this module creates, by the jobs' layer names.
run "layer_databases_are_the_created_databases_by_layer" {
  command = plan

  assert {
    condition     = output.layer_databases == { bronze = "bronze", silver = "silver", gold = "gold", _system = "medallion_system" }
    error_message = "Without database_names the jobs' databases must be bronze, silver, gold and, for the layer _system, medallion_system."
  }

  assert {
    condition = output.layer_databases == merge(
      { for k, db in aws_glue_catalog_database.this : k => db.name },
      { _system = aws_glue_catalog_database.system.name },
    )
    error_message = "layer_databases must be the names of the Glue databases this module creates."
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

  assert {
    condition     = one(aws_athena_workgroup.this.configuration[0].engine_version).selected_engine_version == "Athena engine version 3"
    error_message = "The analysts' workgroup must pin Athena engine version 3, not AUTO (which lets AWS change the engine under the queries)."
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

run "analysts_do_not_reach_the_system_database" {
  command = plan

  variables {
    operator_principal_arns = ["arn:aws:iam::123456789012:role/platform-oncall"]
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : [
        for r in flatten([s.Resource]) : !strcontains(r, "medallion_system") && !strcontains(r, "/_system/") && !strcontains(r, "athena-results-operators/")
      ]
    ]))
    error_message = "The analysts policy must not reach the system database, the system tables' objects or the operators' query results."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : [
        for p in flatten([try(s.Condition.StringLike["s3:prefix"], [])]) : !startswith(p, "_system/") && !startswith(p, "athena-results-operators/")
      ]
    ]))
    error_message = "Analysts must not list the system prefix or the operators' results."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.analysts.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/gold",
      "arn:aws:glue:eu-west-1:123456789012:table/gold/*",
    ])
    error_message = "Analysts may read the Glue metadata of the gold database only."
  }
}

run "no_operators_role_without_operator_principals" {
  command = plan

  assert {
    condition     = length(aws_iam_role.operators) == 0 && length(aws_iam_role_policy.operators) == 0 && length(aws_athena_workgroup.operators) == 0
    error_message = "Without operator_principal_arns there must be no operators role and no operators workgroup."
  }

  assert {
    condition     = output.operators_role_arn == null && output.operators_workgroup_name == null
    error_message = "Without operators the operators outputs must be null."
  }
}

run "operators_read_only_the_system_tables_in_their_own_workgroup" {
  command = plan

  variables {
    operator_principal_arns = ["arn:aws:iam::123456789012:role/platform-oncall"]
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.operators[0].assume_role_policy).Statement :
      s.Effect == "Allow" && keys(s.Principal) == ["AWS"] && toset(flatten([s.Principal.AWS])) == toset(var.operator_principal_arns) && s.Action == "sts:AssumeRole"
    ])
    error_message = "Only the given operator principals may assume the operators role."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.operators[0].policy).Statement : concat(
        [for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")],
        [for r in flatten([s.Resource]) : r != "*"],
      )
    ]))
    error_message = "The operators policy must not use \"*\" actions or resources."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.operators[0].policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:GetObject")
      ])) == toset([
      "arn:aws:s3:::medallion-test-lake/_system/*",
      "arn:aws:s3:::medallion-test-lake/athena-results-operators/*",
    ])
    error_message = "Operators may read only the system tables' objects (and their own Athena results)."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.operators[0].policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:PutObject")
    ])) == toset(["arn:aws:s3:::medallion-test-lake/athena-results-operators/*"])
    error_message = "Operators may write only their own Athena results."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.operators[0].policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/medallion_system",
      "arn:aws:glue:eu-west-1:123456789012:table/medallion_system/*",
    ])
    error_message = "Operators may read the Glue metadata of the system database only."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.operators[0].policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "athena:StartQueryExecution")
    ])) == toset(["arn:aws:athena:eu-west-1:123456789012:workgroup/medallion-test-operators"])
    error_message = "Operators may run queries only in the operators' workgroup."
  }

  assert {
    condition = (
      aws_athena_workgroup.operators[0].configuration[0].enforce_workgroup_configuration == true &&
      aws_athena_workgroup.operators[0].configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS" &&
      aws_athena_workgroup.operators[0].configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == var.kms_key_arn &&
      aws_athena_workgroup.operators[0].configuration[0].result_configuration[0].output_location == "s3://medallion-test-lake/athena-results-operators/" &&
      aws_athena_workgroup.operators[0].configuration[0].bytes_scanned_cutoff_per_query == var.bytes_scanned_cutoff_per_query
    )
    error_message = "The operators' workgroup must be enforced, encrypted with the project key, limited, and write results apart from the analysts'."
  }

  assert {
    condition     = one(aws_athena_workgroup.operators[0].configuration[0].engine_version).selected_engine_version == "Athena engine version 3"
    error_message = "The operators' workgroup must pin Athena engine version 3, not AUTO."
  }

  assert {
    condition     = output.operators_workgroup_name == "medallion-test-operators"
    error_message = "The operators' workgroup name must be an output."
  }
}

run "rejects_operator_results_inside_analyst_results" {
  command = plan

  variables {
    prefixes = { operators_athena_results = "athena-results/operators/" }
  }

  expect_failures = [var.prefixes]
}

run "rejects_wildcard_operator_principal" {
  command = plan

  variables {
    operator_principal_arns = ["*"]
  }

  expect_failures = [var.operator_principal_arns]
}

run "rejects_hyphen_in_system_database_name" {
  command = plan

  variables {
    database_names = { system = "medallion-system" }
  }

  expect_failures = [var.database_names]
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
