# Catalog and analyst SQL: the Glue databases of the three layers, Glue Data
# Catalog encryption, an enforced and encrypted Athena workgroup, and a
# read-only analysts role over gold.
#
# Every IAM statement below names its resources; there is no "*" resource and
# no "*" action in this module.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  bucket_arn         = "arn:${local.partition}:s3:::${var.lake_bucket_name}"
  athena_results_uri = "s3://${var.lake_bucket_name}/${var.prefixes.athena_results}"

  workgroup_name = "${var.name}-analysts"
  workgroup_arn  = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${local.workgroup_name}"

  glue_arn_prefix = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  gold_database   = var.database_names.gold

  layers = {
    bronze = { database = var.database_names.bronze, prefix = var.prefixes.bronze }
    silver = { database = var.database_names.silver, prefix = var.prefixes.silver }
    gold   = { database = var.database_names.gold, prefix = var.prefixes.gold }
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
}

################################################################################
# Glue
################################################################################

resource "aws_glue_catalog_database" "this" {
  for_each = local.layers

  name         = each.value.database
  description  = "Medallion ${each.key} layer (Delta tables)"
  location_uri = "s3://${var.lake_bucket_name}/${each.value.prefix}"
  tags         = var.tags
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
