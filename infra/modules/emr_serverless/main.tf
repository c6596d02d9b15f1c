# EMR Serverless compute for the Medallion jobs: the Spark application in
# private subnets, its job runtime role, the DynamoDB table behind Delta's
# S3DynamoDBLogStore, the job log group, and the Amazon Managed Service for
# Prometheus workspace the job runs send their Spark metrics to.
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

  bucket_arn = "arn:${local.partition}:s3:::${var.lake_bucket_name}"

  log_group_name       = "/aws/emr-serverless/${var.name}"
  log_group_arn        = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  delta_log_table_name = "${var.name}-delta-log"
  delta_log_table_arn  = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.delta_log_table_name}"

  glue_catalog_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"

  security_group_ids = concat(
    var.create_security_group ? [aws_security_group.this[0].id] : [],
    var.security_group_ids,
  )

  # Kafka (MSK with IAM auth): connect to the one cluster, read and create
  # only the pipeline topics, and use only the consumer groups the jobs create.
  # CreateTopic is for the deploy's `topics --create` job run, which creates
  # the spec's missing topics (with its partition counts) before the streaming
  # job starts; it names the same topics. Spark's Kafka source never writes,
  # so there is no WriteData, and no topic is altered or deleted.
  kafka_statements = var.kafka_access == null ? [] : [
    {
      Sid      = "ConnectToKafkaCluster"
      Effect   = "Allow"
      Action   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
      Resource = [var.kafka_access.cluster_arn]
    },
    {
      Sid      = "ReadPipelineTopics"
      Effect   = "Allow"
      Action   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
      Resource = var.kafka_access.topic_arns
    },
    {
      Sid      = "CreatePipelineTopics"
      Effect   = "Allow"
      Action   = ["kafka-cluster:CreateTopic"]
      Resource = var.kafka_access.topic_arns
    },
    {
      Sid      = "UseJobConsumerGroups"
      Effect   = "Allow"
      Action   = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
      Resource = var.kafka_access.group_arns
    },
  ]

  # Spark metrics: the job runs remote-write to the one workspace, nothing
  # else (no query, no other workspace).
  prometheus_statements = var.create_prometheus_workspace ? [
    {
      Sid      = "RemoteWriteJobMetrics"
      Effect   = "Allow"
      Action   = ["aps:RemoteWrite"]
      Resource = [aws_prometheus_workspace.this[0].arn]
    },
  ] : []

  job_policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "LocateLakeBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = [local.bucket_arn]
      },
      {
        # Listing is limited to the layer, checkpoint and artifact prefixes.
        Sid      = "ListLakePrefixes"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.bucket_arn]
        Condition = {
          StringLike = {
            "s3:prefix" = [for p in concat(var.read_write_prefixes, var.read_only_prefixes) : "${p}*"]
          }
        }
      },
      {
        Sid    = "ReadWriteLayersAndCheckpoints"
        Effect = "Allow"
        Action = [
          "s3:AbortMultipartUpload",
          "s3:DeleteObject",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ]
        Resource = [for p in var.read_write_prefixes : "${local.bucket_arn}/${p}*"]
      },
      {
        Sid      = "ReadArtifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for p in var.read_only_prefixes : "${local.bucket_arn}/${p}*"]
      },
      {
        # The lake objects, the LogStore table, the logs, and the Glue Data
        # Catalog (encrypted with this key: Glue encrypts and decrypts the
        # tables' metadata with the caller's kms:Encrypt, kms:Decrypt and
        # kms:GenerateDataKey).
        Sid    = "UseProjectKey"
        Effect = "Allow"
        Action = [
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:Encrypt",
          "kms:GenerateDataKey",
        ]
        Resource = [var.kms_key_arn]
      },
      {
        # The jobs register their tables themselves (--catalog glue): at
        # start GetDatabase on each database, then per table GetTable and
        # CreateTable or UpdateTable. They create and delete no database and
        # no table, and touch no partition (Athena reads the partitions from
        # the Delta log). Glue authorises each call on the catalog as well as
        # on the database and the table it names. The catalog is encrypted
        # with the project key: UseProjectKey above covers what Glue needs of
        # the caller (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey).
        Sid    = "RegisterTablesInGlue"
        Effect = "Allow"
        Action = [
          "glue:CreateTable",
          "glue:GetDatabase",
          "glue:GetTable",
          "glue:UpdateTable",
        ]
        Resource = concat(
          [local.glue_catalog_arn],
          [for d in var.glue_database_names : "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${d}"],
          [for d in var.glue_database_names : "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${d}/*"],
        )
      },
      {
        # The calls io.delta.storage.S3DynamoDBLogStore makes; the table is
        # created here, so the job never needs dynamodb:CreateTable.
        Sid    = "DeltaLogStoreTable"
        Effect = "Allow"
        Action = [
          "dynamodb:DescribeTable",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:Query",
        ]
        Resource = [local.delta_log_table_arn]
      },
      {
        Sid    = "WriteJobLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogStream",
          "logs:DescribeLogStreams",
          "logs:PutLogEvents",
        ]
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        # EMR Serverless looks the configured log group up by name before
        # writing; the call is scoped to this account's log groups in this
        # region.
        Sid      = "FindJobLogGroup"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogGroups"]
        Resource = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
      },
    ], local.kafka_statements, local.prometheus_statements)
  }
}

################################################################################
# Network
################################################################################

# Egress-only: nothing connects to Spark workers, so there are no ingress rules.
resource "aws_security_group" "this" {
  count = var.create_security_group ? 1 : 0

  name        = "${var.name}-emr-serverless"
  description = "Medallion EMR Serverless workers: egress only, no ingress"
  vpc_id      = var.vpc_id

  # Managed inline so that any ingress rule added out of band is removed on the
  # next apply.
  ingress = []

  # HTTPS to AWS APIs (S3, Glue, DynamoDB, KMS, CloudWatch Logs, STS) through
  # NAT or VPC endpoints; their addresses are not fixed, so the destination
  # cannot be narrowed to a CIDR here.
  egress {
    description      = "HTTPS to AWS service endpoints"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = []
    prefix_list_ids  = []
    security_groups  = []
    self             = false
  }

  dynamic "egress" {
    for_each = length(var.kafka_security_group_ids) > 0 ? [1] : []

    content {
      description      = "Kafka to the MSK brokers security group (IAM auth over TLS)"
      from_port        = 9098
      to_port          = 9098
      protocol         = "tcp"
      cidr_blocks      = []
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = var.kafka_security_group_ids
      self             = false
    }
  }

  dynamic "egress" {
    for_each = length(var.kafka_cidr_blocks) > 0 ? [1] : []

    content {
      description      = "Kafka (MSK, IAM auth over TLS)"
      from_port        = 9098
      to_port          = 9098
      protocol         = "tcp"
      cidr_blocks      = var.kafka_cidr_blocks
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-emr-serverless" })

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Application
################################################################################

resource "aws_emrserverless_application" "this" {
  name          = var.name
  release_label = var.release_label
  type          = "SPARK" # as the API documents it; the provider stores it in lower case
  architecture  = var.architecture

  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = local.security_group_ids
  }

  maximum_capacity {
    cpu    = var.maximum_capacity.cpu
    memory = var.maximum_capacity.memory
    disk   = var.maximum_capacity.disk
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.idle_timeout_minutes
  }

  # Jobs are submitted as batch or streaming job runs; no Livy or Studio
  # endpoints are exposed.
  interactive_configuration {
    livy_endpoint_enabled = false
    studio_enabled        = false
  }

  tags = var.tags
}

################################################################################
# Delta S3 DynamoDB LogStore table
################################################################################

# Schema required by io.delta.storage.S3DynamoDBLogStore (Delta docs, "Setup
# Configuration (S3 multi-cluster)").
resource "aws_dynamodb_table" "delta_log" {
  name                        = local.delta_log_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "tablePath"
  range_key                   = "fileName"
  deletion_protection_enabled = var.dynamodb_deletion_protection

  attribute {
    name = "tablePath"
    type = "S"
  }

  attribute {
    name = "fileName"
    type = "S"
  }

  # Delta sets expireTime on entries once the commit is in the _delta_log;
  # DynamoDB then removes them.
  ttl {
    attribute_name = "expireTime"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = var.tags
}

################################################################################
# Logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

################################################################################
# Metrics
################################################################################

# Amazon Managed Service for Prometheus: the job runs' Spark metrics
# (PrometheusServlet sink, streaming query metrics) arrive here through the
# job runs' prometheusMonitoringConfiguration.remoteWriteUrl. Encrypted with the
# project key; a workspace cannot change its key later.
resource "aws_prometheus_workspace" "this" {
  count = var.create_prometheus_workspace ? 1 : 0

  alias       = "${var.name}-spark-metrics"
  kms_key_arn = var.kms_key_arn
  tags        = var.tags
}

################################################################################
# Job runtime role
################################################################################

resource "aws_iam_role" "job" {
  name        = "${var.name}-job-runtime"
  description = "Runtime role of Medallion jobs on EMR Serverless application ${var.name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EmrServerlessOnly"
        Effect    = "Allow"
        Principal = { Service = "emr-serverless.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "job" {
  name   = "medallion-job-access"
  role   = aws_iam_role.job.id
  policy = jsonencode(local.job_policy)
}
