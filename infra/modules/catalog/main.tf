# Catalog and analyst SQL: the Glue databases of the three layers and of the
# platform's system tables, Glue Data Catalog encryption, an enforced and
# encrypted Athena workgroup and a read-only analysts role over gold;
# optionally an operators role that reads only the system database, in a
# workgroup of its own.
#
# Terraform owns the databases; the jobs own the tables. Every bronze, silver,
# gold and system table (the event log included) is registered by the jobs
# themselves (--catalog glue --glue-database LAYER=NAME, with the names of
# layer_databases below), and re-registered when its schema changes; no table
# is declared here.
#
# Every IAM statement below names its resources; there is no "*" resource and
# no "*" action in this module.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The database names, defaults included, are defined once (../catalog_names).
module "names" {
  source = "../catalog_names"

  glue_database_names = var.database_names
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  bucket_arn         = "arn:${local.partition}:s3:::${var.lake_bucket_name}"
  athena_results_uri = "s3://${var.lake_bucket_name}/${var.prefixes.athena_results}"

  workgroup_name = "${var.name}-analysts"
  workgroup_arn  = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${local.workgroup_name}"

  glue_arn_prefix = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  gold_database   = module.names.database_names.gold
  system_database = module.names.database_names.system

  # The platform's own tables (event log, reconciliation, expectation results,
  # late gold slices), which the jobs write next to each other under the
  # system prefix.
  system_uri = "s3://${var.lake_bucket_name}/${var.prefixes.system}"

  # Operators: their own workgroup and results prefix, so that their results
  # (rows of the system tables) never land where analysts can read them.
  create_operators             = length(var.operator_principal_arns) > 0
  operators_workgroup_name     = "${var.name}-operators"
  operators_workgroup_arn      = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${local.operators_workgroup_name}"
  operators_athena_results_uri = "s3://${var.lake_bucket_name}/${var.prefixes.operators_athena_results}"

  layers = {
    bronze = { database = module.names.database_names.bronze, prefix = var.prefixes.bronze }
    silver = { database = module.names.database_names.silver, prefix = var.prefixes.silver }
    gold   = { database = module.names.database_names.gold, prefix = var.prefixes.gold }
  }

  analysts_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "RunQueriesInWorkgroup"
        Effect = "Allow"
        Action = [
          "athena:BatchGetQueryExecution",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:GetQueryResultsStream",
          "athena:GetWorkGroup",
          "athena:ListQueryExecutions",
          "athena:StartQueryExecution",
          "athena:StopQueryExecution",
        ]
        Resource = [local.workgroup_arn]
      },
      {
        Sid    = "BrowseGlueCatalogThroughAthena"
        Effect = "Allow"
        Action = [
          "athena:GetDataCatalog",
          "athena:GetDatabase",
          "athena:GetTableMetadata",
          "athena:ListDatabases",
          "athena:ListTableMetadata",
        ]
        Resource = ["arn:${local.partition}:athena:${local.region}:${local.account_id}:datacatalog/AwsDataCatalog"]
      },
      {
        Sid    = "ReadGoldMetadata"
        Effect = "Allow"
        Action = [
          "glue:BatchGetPartition",
          "glue:GetDatabase",
          "glue:GetDatabases",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:GetTable",
          "glue:GetTables",
        ]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:database/${local.gold_database}",
          "${local.glue_arn_prefix}:table/${local.gold_database}/*",
        ]
      },
      {
        Sid    = "LocateLakeBucket"
        Effect = "Allow"
        Action = [
          "s3:GetBucketLocation",
          "s3:ListBucketMultipartUploads",
        ]
        Resource = [local.bucket_arn]
      },
      {
        Sid      = "ListGoldAndResults"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.bucket_arn]
        Condition = {
          StringLike = {
            "s3:prefix" = ["${var.prefixes.gold}*", "${var.prefixes.athena_results}*"]
          }
        }
      },
      {
        Sid      = "ReadGoldObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${local.bucket_arn}/${var.prefixes.gold}*"]
      },
      {
        # Athena writes query results with the caller's credentials, so
        # running queries needs read and write on the results prefix.
        Sid    = "ReadWriteQueryResults"
        Effect = "Allow"
        Action = [
          "s3:AbortMultipartUpload",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ]
        Resource = ["${local.bucket_arn}/${var.prefixes.athena_results}*"]
      },
      {
        # Decrypt gold objects and the catalog, encrypt results; only when the
        # request comes through S3, Glue or Athena.
        Sid    = "UseProjectKeyViaServices"
        Effect = "Allow"
        Action = [
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:GenerateDataKey",
        ]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = {
            "kms:ViaService" = [
              "athena.${local.region}.amazonaws.com",
              "glue.${local.region}.amazonaws.com",
              "s3.${local.region}.amazonaws.com",
            ]
          }
        }
      },
    ]
  }

  # The same shape as the analysts' policy, over the system database, the
  # system prefix and the operators' workgroup and results prefix instead.
  operators_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "RunQueriesInWorkgroup"
        Effect = "Allow"
        Action = [
          "athena:BatchGetQueryExecution",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:GetQueryResultsStream",
          "athena:GetWorkGroup",
          "athena:ListQueryExecutions",
          "athena:StartQueryExecution",
          "athena:StopQueryExecution",
        ]
        Resource = [local.operators_workgroup_arn]
      },
      {
        Sid    = "BrowseGlueCatalogThroughAthena"
        Effect = "Allow"
        Action = [
          "athena:GetDataCatalog",
          "athena:GetDatabase",
          "athena:GetTableMetadata",
          "athena:ListDatabases",
          "athena:ListTableMetadata",
        ]
        Resource = ["arn:${local.partition}:athena:${local.region}:${local.account_id}:datacatalog/AwsDataCatalog"]
      },
      {
        Sid    = "ReadSystemMetadata"
        Effect = "Allow"
        Action = [
          "glue:BatchGetPartition",
          "glue:GetDatabase",
          "glue:GetDatabases",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:GetTable",
          "glue:GetTables",
        ]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:database/${local.system_database}",
          "${local.glue_arn_prefix}:table/${local.system_database}/*",
        ]
      },
      {
        Sid    = "LocateLakeBucket"
        Effect = "Allow"
        Action = [
          "s3:GetBucketLocation",
          "s3:ListBucketMultipartUploads",
        ]
        Resource = [local.bucket_arn]
      },
      {
        Sid      = "ListSystemAndResults"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.bucket_arn]
        Condition = {
          StringLike = {
            "s3:prefix" = ["${var.prefixes.system}*", "${var.prefixes.operators_athena_results}*"]
          }
        }
      },
      {
        Sid      = "ReadSystemObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${local.bucket_arn}/${var.prefixes.system}*"]
      },
      {
        Sid    = "ReadWriteQueryResults"
        Effect = "Allow"
        Action = [
          "s3:AbortMultipartUpload",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ]
        Resource = ["${local.bucket_arn}/${var.prefixes.operators_athena_results}*"]
      },
      {
        Sid    = "UseProjectKeyViaServices"
        Effect = "Allow"
        Action = [
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:GenerateDataKey",
        ]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = {
            "kms:ViaService" = [
              "athena.${local.region}.amazonaws.com",
              "glue.${local.region}.amazonaws.com",
              "s3.${local.region}.amazonaws.com",
            ]
          }
        }
      },
    ]
  }
}

################################################################################
# Glue
################################################################################

# The jobs register the layers' tables (--glue-database bronze=, silver=,
# gold=); Terraform creates and deletes only the databases.
resource "aws_glue_catalog_database" "this" {
  for_each = local.layers

  name         = each.value.database
  description  = "Medallion ${each.key} layer (Delta tables)"
  location_uri = "s3://${var.lake_bucket_name}/${each.value.prefix}"
  tags         = var.tags
}

# The platform's system tables. The jobs keep them in the lake under the
# system prefix (the event log at <prefix>events/) and register them here;
# analysts do not reach this database (see the analysts policy), operators do
# if any are named.
resource "aws_glue_catalog_database" "system" {
  name         = local.system_database
  description  = "Medallion system tables: event log, reconciliation, expectation results, late gold slices (Delta tables)"
  location_uri = local.system_uri
  tags         = var.tags
}

# The event log's table used to be declared here. The jobs register it now,
# like every other table, and update it when its schema changes: Terraform
# forgets it without deleting it from Glue (an environment applied before
# keeps its table, which the next job run takes over).
removed {
  from = aws_glue_catalog_table.events

  lifecycle {
    destroy = false
  }
}

resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption ? 1 : 0

  data_catalog_encryption_settings {
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }

    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }
  }
}

################################################################################
# Athena
################################################################################

resource "aws_athena_workgroup" "this" {
  name          = local.workgroup_name
  description   = "Medallion analysts: SQL over the gold layer"
  state         = "ENABLED"
  force_destroy = var.force_destroy_workgroup

  configuration {
    # Clients cannot override the result location, encryption or limit.
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = local.athena_results_uri
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }

  tags = var.tags
}

################################################################################
# Analysts role
################################################################################

resource "aws_iam_role" "analysts" {
  name        = "${var.name}-analysts"
  description = "Medallion analysts: read gold, run Athena queries in ${local.workgroup_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "TrustedAnalystPrincipals"
        Effect    = "Allow"
        Principal = { AWS = var.analyst_principal_arns }
        Action    = "sts:AssumeRole"
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "analysts" {
  name   = "medallion-analysts-access"
  role   = aws_iam_role.analysts.id
  policy = jsonencode(local.analysts_policy)
}

################################################################################
# Operators role (optional)
################################################################################

resource "aws_athena_workgroup" "operators" {
  count = local.create_operators ? 1 : 0

  name          = local.operators_workgroup_name
  description   = "Medallion operators: SQL over the system tables (event log)"
  state         = "ENABLED"
  force_destroy = var.force_destroy_workgroup

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = local.operators_athena_results_uri
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }

  tags = var.tags
}

resource "aws_iam_role" "operators" {
  count = local.create_operators ? 1 : 0

  name        = "${var.name}-operators"
  description = "Medallion operators: read the system tables, run Athena queries in ${local.operators_workgroup_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "TrustedOperatorPrincipals"
        Effect    = "Allow"
        Principal = { AWS = var.operator_principal_arns }
        Action    = "sts:AssumeRole"
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "operators" {
  count = local.create_operators ? 1 : 0

  name   = "medallion-operators-access"
  role   = aws_iam_role.operators[0].id
  policy = jsonencode(local.operators_policy)
}
