# Security properties of the EMR Serverless module, checked on a plan with a
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

  mock_resource "aws_security_group" {
    defaults = {
      id = "sg-0123456789abcdef0"
    }
  }

  mock_resource "aws_prometheus_workspace" {
    defaults = {
      id                  = "ws-11111111-2222-3333-4444-555555555555"
      arn                 = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-11111111-2222-3333-4444-555555555555"
      prometheus_endpoint = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/"
    }
  }
}

variables {
  name             = "medallion-test"
  vpc_id           = "vpc-0123456789abcdef0"
  subnet_ids       = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  lake_bucket_name = "medallion-test-lake"
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"

  # The four databases the jobs register tables in (platform passes the
  # catalog module's): the layers' and the system tables'.
  glue_database_names = ["bronze", "silver", "gold", "medallion_system"]
}

run "application_runs_spark_8_in_private_subnets" {
  command = plan

  assert {
    condition     = aws_emrserverless_application.this.release_label == "emr-spark-8.0.0"
    error_message = "The default release label must be emr-spark-8.0.0 (Spark 4.0.2, Delta 4.0.0)."
  }

  assert {
    condition     = lower(aws_emrserverless_application.this.type) == "spark"
    error_message = "The application type must be SPARK."
  }

  assert {
    condition     = toset(one(aws_emrserverless_application.this.network_configuration).subnet_ids) == toset(var.subnet_ids)
    error_message = "The application must run in exactly the given private subnets."
  }

  assert {
    condition     = contains(one(aws_emrserverless_application.this.network_configuration).security_group_ids, "sg-0123456789abcdef0")
    error_message = "The application must use the module's security group."
  }

  assert {
    condition     = one(aws_emrserverless_application.this.interactive_configuration).livy_endpoint_enabled == false
    error_message = "No Livy endpoint may be exposed."
  }

  assert {
    condition     = one(aws_emrserverless_application.this.interactive_configuration).studio_enabled == false
    error_message = "EMR Studio must stay disabled on the application: jobs are submitted as job runs only."
  }

  assert {
    condition = length(aws_security_group.this[0].egress) == 1 && alltrue([
      for r in aws_security_group.this[0].egress :
      r.protocol == "tcp" && r.from_port == 443 && r.to_port == 443 && toset(r.cidr_blocks) == toset(["0.0.0.0/0"]) && length(r.ipv6_cidr_blocks) == 0
    ])
    error_message = "Without Kafka the workers' only egress must be TCP 443 (AWS APIs over HTTPS)."
  }
}

run "security_group_has_no_ingress_and_egress_only_to_https_and_kafka" {
  command = plan

  variables {
    kafka_cidr_blocks = ["10.0.0.0/16"]
  }

  assert {
    condition     = length(aws_security_group.this[0].ingress) == 0
    error_message = "The workers' security group must have no ingress rules."
  }

  assert {
    condition = length(aws_security_group.this[0].egress) == 2 && alltrue([
      for r in aws_security_group.this[0].egress :
      r.protocol == "tcp" && r.from_port == r.to_port && contains([443, 9098], r.from_port) && length(r.ipv6_cidr_blocks) == 0
    ])
    error_message = "The workers may connect out only on TCP 443 (AWS APIs) and 9098 (Kafka): no all-ports, all-protocols or IPv6 egress."
  }

  assert {
    condition     = alltrue([for r in aws_security_group.this[0].egress : r.from_port == 443 if contains(r.cidr_blocks, "0.0.0.0/0")])
    error_message = "Only HTTPS (443) may go to 0.0.0.0/0."
  }

  assert {
    condition     = anytrue([for r in aws_security_group.this[0].egress : r.from_port == 9098 && contains(r.cidr_blocks, "10.0.0.0/16")])
    error_message = "Kafka egress on 9098 must be limited to the given broker CIDR blocks."
  }
}

run "job_role_trusts_only_emr_serverless" {
  command = plan

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.job.assume_role_policy).Statement :
      s.Effect == "Allow" && s.Principal == { Service = "emr-serverless.amazonaws.com" } && s.Action == "sts:AssumeRole"
    ])
    error_message = "The job role's trust policy may only let emr-serverless.amazonaws.com assume it."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.job.assume_role_policy).Statement :
      try(s.Condition.StringEquals["aws:SourceAccount"], "") == "123456789012"
    ])
    error_message = "The trust policy must be confined to this account (aws:SourceAccount), against confused-deputy use."
  }
}

run "job_policy_has_no_wildcard_actions_or_resources" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "The job policy must not allow \"*\" or \"<service>:*\" actions."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for r in flatten([s.Resource]) : r != "*"
      ]
    ]))
    error_message = "The job policy must not use a \"*\" resource."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.job.policy).Statement : s.Effect == "Allow" && !can(s.NotAction) && !can(s.NotResource)])
    error_message = "The job policy must not use NotAction or NotResource."
  }
}

run "job_policy_is_scoped_to_lake_prefixes_key_glue_dynamodb_and_logs" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "s3:PutObject")
      ])) == toset([
      "arn:aws:s3:::medallion-test-lake/bronze/*",
      "arn:aws:s3:::medallion-test-lake/silver/*",
      "arn:aws:s3:::medallion-test-lake/gold/*",
      "arn:aws:s3:::medallion-test-lake/_checkpoints/*",
      "arn:aws:s3:::medallion-test-lake/_system/*",
    ])
    error_message = "The job role may write only the bronze, silver, gold, checkpoint and system-table prefixes."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::medallion-test-lake/") || r == "arn:aws:s3:::medallion-test-lake"
      ] if anytrue([for a in flatten([s.Action]) : startswith(a, "s3:")])
    ]))
    error_message = "S3 permissions must be confined to the lake bucket."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])
    ])) == toset([var.kms_key_arn])
    error_message = "KMS permissions must name only the project key."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/bronze",
      "arn:aws:glue:eu-west-1:123456789012:database/silver",
      "arn:aws:glue:eu-west-1:123456789012:database/gold",
      "arn:aws:glue:eu-west-1:123456789012:database/medallion_system",
      "arn:aws:glue:eu-west-1:123456789012:table/bronze/*",
      "arn:aws:glue:eu-west-1:123456789012:table/silver/*",
      "arn:aws:glue:eu-west-1:123456789012:table/gold/*",
      "arn:aws:glue:eu-west-1:123456789012:table/medallion_system/*",
    ])
    error_message = "Glue permissions must name only the catalog and the bronze, silver, gold and system databases and their tables."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "dynamodb:")])
    ])) == toset(["arn:aws:dynamodb:eu-west-1:123456789012:table/medallion-test-delta-log"])
    error_message = "DynamoDB permissions must name only the Delta LogStore table."
  }

  # The calls io.delta.storage.S3DynamoDBLogStore makes on an existing table:
  # no CreateTable, DeleteItem, UpdateItem, Scan or table changes.
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : a if startswith(a, "dynamodb:")
      ]
    ])) == toset(["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"])
    error_message = "The job role's DynamoDB actions must be exactly the LogStore's: DescribeTable, GetItem, PutItem, Query."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement :
      flatten([s.Resource]) == ["arn:aws:dynamodb:eu-west-1:123456789012:table/medallion-test-delta-log"] && !can(s.Condition)
      if anytrue([for a in flatten([s.Action]) : startswith(a, "dynamodb:")])
    ])
    error_message = "Every statement with a DynamoDB action must name the LogStore table alone (no other resource in the same statement)."
  }
}

# The jobs register their tables in Glue themselves (--catalog glue): they call
# GetDatabase, GetTable, CreateTable and UpdateTable, on the catalog, the four
# databases and their tables, and nothing else.
run "job_role_registers_tables_in_the_four_databases_and_nothing_more" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : a if startswith(a, "glue:")
      ]
    ])) == toset(["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"])
    error_message = "The job role's Glue actions must be exactly GetDatabase, GetTable, CreateTable and UpdateTable: no partition, delete, batch or list calls, no database changes."
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : {
        actions   = toset(flatten([s.Action]))
        resources = toset(flatten([s.Resource]))
        condition = can(s.Condition)
      } if anytrue([for a in flatten([s.Action]) : startswith(a, "glue:")])
      ] == [
      {
        actions = toset(["glue:CreateTable", "glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"])
        resources = toset([
          "arn:aws:glue:eu-west-1:123456789012:catalog",
          "arn:aws:glue:eu-west-1:123456789012:database/bronze",
          "arn:aws:glue:eu-west-1:123456789012:database/silver",
          "arn:aws:glue:eu-west-1:123456789012:database/gold",
          "arn:aws:glue:eu-west-1:123456789012:database/medallion_system",
          "arn:aws:glue:eu-west-1:123456789012:table/bronze/*",
          "arn:aws:glue:eu-west-1:123456789012:table/silver/*",
          "arn:aws:glue:eu-west-1:123456789012:table/gold/*",
          "arn:aws:glue:eu-west-1:123456789012:table/medallion_system/*",
        ])
        condition = false
      },
    ]
    error_message = "There must be one Glue statement: the four actions on the catalog, the bronze, silver, gold and medallion_system databases and table/<db>/* of each, no other resource."
  }

  # The Glue Data Catalog is encrypted with the project key; Glue uses the
  # caller's permissions on it to read and write the tables' metadata.
  assert {
    condition = length(setsubtract(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Action])
      if flatten([s.Resource]) == [var.kms_key_arn] && !can(s.Condition)
    ]))) == 0
    error_message = "The job role must be allowed kms:Decrypt, kms:Encrypt and kms:GenerateDataKey on the project key (without a condition), which Glue needs of callers of a catalog encrypted with it."
  }
}

run "rejects_a_database_named_twice" {
  command = plan

  variables {
    glue_database_names = ["bronze", "silver", "gold", "gold"]
  }

  expect_failures = [var.glue_database_names]
}

run "job_metrics_go_to_an_encrypted_prometheus_workspace" {
  command = plan

  assert {
    condition     = length(aws_prometheus_workspace.this) == 1 && aws_prometheus_workspace.this[0].kms_key_arn == var.kms_key_arn
    error_message = "There must be a Prometheus workspace for the job metrics, encrypted with the project KMS key."
  }

  assert {
    condition     = aws_prometheus_workspace.this[0].alias == "medallion-test-spark-metrics"
    error_message = "The workspace alias must name the application."
  }

  assert {
    condition     = output.prometheus_remote_write_url == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-11111111-2222-3333-4444-555555555555/api/v1/remote_write"
    error_message = "The remote write URL must be the workspace's endpoint followed by api/v1/remote_write."
  }

  assert {
    condition     = output.prometheus_workspace_arn == "arn:aws:aps:eu-west-1:123456789012:workspace/ws-11111111-2222-3333-4444-555555555555"
    error_message = "The workspace ARN must be an output."
  }
}

run "job_role_may_only_remote_write_to_its_workspace" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : a if startswith(a, "aps:")
      ]
    ])) == toset(["aps:RemoteWrite"])
    error_message = "The job role's only Prometheus permission must be aps:RemoteWrite."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "aps:")])
    ])) == toset(["arn:aws:aps:eu-west-1:123456789012:workspace/ws-11111111-2222-3333-4444-555555555555"])
    error_message = "aps:RemoteWrite must name only the module's workspace."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement :
      toset(flatten([s.Action])) == toset(["aps:RemoteWrite"])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "aps:")])
    ])
    error_message = "The Prometheus statement must grant nothing but aps:RemoteWrite."
  }
}

run "no_prometheus_permission_without_a_workspace" {
  command = plan

  variables {
    create_prometheus_workspace = false
  }

  assert {
    condition     = length(aws_prometheus_workspace.this) == 0 && output.prometheus_remote_write_url == null && output.prometheus_workspace_arn == null
    error_message = "Without create_prometheus_workspace there must be no workspace and no remote write URL."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.job.policy, "aps:")
    error_message = "Without a workspace the job role must get no Prometheus permission."
  }
}

run "kafka_permissions_are_scoped_to_the_cluster_topics_and_groups" {
  command = plan

  variables {
    kafka_security_group_ids = ["sg-0bbbbbbbbbbbbbbbb"]
    kafka_access = {
      cluster_arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/medallion-test/abc-1"
      topic_arns = [
        "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/plays",
        "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/impressions",
        "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/titles",
      ]
      group_arns = ["arn:aws:kafka:eu-west-1:123456789012:group/medallion-test/abc-1/spark-kafka-source-*"]
    }
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "kafka-cluster:Connect")
    ])) == toset([var.kafka_access.cluster_arn])
    error_message = "The job role may connect to the given cluster only."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "kafka-cluster:ReadData")
    ])) == toset(var.kafka_access.topic_arns)
    error_message = "The job role may read the pipeline topics only."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "kafka-cluster:AlterGroup")
    ])) == toset(var.kafka_access.group_arns)
    error_message = "The job role may use Spark's consumer groups only."
  }

  # The deploy's `topics --create` job run creates the spec's missing topics
  # as the job role: CreateTopic on exactly the pipeline topics.
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : flatten([s.Resource])
      if contains(flatten([s.Action]), "kafka-cluster:CreateTopic")
      ])) == toset([
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/plays",
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/impressions",
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/titles",
    ])
    error_message = "The job role may create the pipeline topics (plays, impressions, titles of the cluster) and no other."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : !contains(["kafka-cluster:WriteData", "kafka-cluster:DeleteTopic", "kafka-cluster:AlterTopic", "kafka-cluster:AlterTopicDynamicConfiguration", "kafka-cluster:AlterCluster", "kafka-cluster:AlterClusterDynamicConfiguration", "kafka-cluster:DeleteGroup"], a)
      ]
    ]))
    error_message = "Besides creating the pipeline topics the jobs only read Kafka: no write, no topic or cluster change, no group deletion."
  }

  assert {
    condition     = jsondecode(output.job_policy) == jsondecode(aws_iam_role_policy.job.policy)
    error_message = "The job_policy output must be the job role's policy."
  }

  assert {
    condition     = length(aws_iam_role_policy.job.policy) <= 10240
    error_message = "The job policy must stay within IAM's 10,240-character limit for inline role policies."
  }

  assert {
    condition     = anytrue([for r in aws_security_group.this[0].egress : r.from_port == 9098 && r.security_groups == toset(["sg-0bbbbbbbbbbbbbbbb"]) && length(r.cidr_blocks) == 0])
    error_message = "Kafka egress on 9098 must go to the brokers' security group."
  }
}

run "no_kafka_permissions_without_a_cluster" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.job.policy).Statement : [
        for a in flatten([s.Action]) : !startswith(a, "kafka-cluster:")
      ]
    ]))
    error_message = "Without kafka_access the job role gets no Kafka permissions."
  }
}

run "rejects_topic_of_another_cluster" {
  command = plan

  variables {
    kafka_access = {
      cluster_arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/medallion-test/abc-1"
      topic_arns  = ["arn:aws:kafka:eu-west-1:123456789012:topic/other/def-2/plays"]
      group_arns  = []
    }
  }

  expect_failures = [var.kafka_access]
}

run "rejects_wildcard_topic" {
  command = plan

  variables {
    kafka_access = {
      cluster_arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/medallion-test/abc-1"
      topic_arns  = ["arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/abc-1/*"]
      group_arns  = []
    }
  }

  expect_failures = [var.kafka_access]
}

run "delta_log_store_table_is_encrypted_with_pitr" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.delta_log.hash_key == "tablePath" && aws_dynamodb_table.delta_log.range_key == "fileName"
    error_message = "The Delta LogStore table must have the key schema S3DynamoDBLogStore expects (tablePath, fileName)."
  }

  assert {
    condition     = aws_dynamodb_table.delta_log.name == "medallion-test-delta-log" && output.delta_log_store_table_name == "medallion-test-delta-log"
    error_message = "The Delta LogStore table must be <name>-delta-log, the table the job role may use."
  }

  assert {
    condition     = aws_dynamodb_table.delta_log.server_side_encryption[0].enabled == true && aws_dynamodb_table.delta_log.server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The Delta LogStore table must be encrypted with the project KMS key (a customer managed key, not DynamoDB's own)."
  }

  assert {
    condition     = aws_dynamodb_table.delta_log.point_in_time_recovery[0].enabled == true
    error_message = "Point-in-time recovery must be on for the Delta LogStore table."
  }

  assert {
    condition = output.spark_conf == {
      "spark.delta.logStore.s3.impl"                            = "io.delta.storage.S3DynamoDBLogStore"
      "spark.delta.logStore.s3a.impl"                           = "io.delta.storage.S3DynamoDBLogStore"
      "spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName" = "medallion-test-delta-log"
      "spark.io.delta.storage.S3DynamoDBLogStore.ddb.region"    = "eu-west-1"
    }
    error_message = "spark_conf must point Delta's S3 and S3A LogStore at S3DynamoDBLogStore on the module's table in the module's region."
  }
}

run "log_group_is_encrypted_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "The job log group must be encrypted with the project KMS key."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days > 0
    error_message = "The job log group must have a finite retention."
  }
}

run "rejects_emr_7_release_label" {
  command = plan

  variables {
    release_label = "emr-7.0.0"
  }

  expect_failures = [var.release_label]
}

# The release must ship the Spark and Delta minor versions the jar is built
# for (Spark 4.0, Delta 4.0), and be one the module knows.
run "accepts_emr_spark_8_0_0_which_ships_the_builds_spark_and_delta" {
  command = plan

  variables {
    release_label = "emr-spark-8.0.0"
  }

  assert {
    condition     = aws_emrserverless_application.this.release_label == "emr-spark-8.0.0" && output.release_label == "emr-spark-8.0.0"
    error_message = "emr-spark-8.0.0 must be accepted and used as the application's release."
  }

  assert {
    condition = output.release_labels == {
      "emr-spark-8.0.0" = { spark = "4.0.2", delta = "4.0.0", same_spark_minor = true, same_delta_minor = true, supported = true }
      "emr-spark-8.2.0" = { spark = "4.1.3", delta = "4.2.0", same_spark_minor = false, same_delta_minor = false, supported = false }
    }
    error_message = "The known releases must be emr-spark-8.0.0 (Spark 4.0.2, Delta 4.0.0: the build's Spark 4.0 and Delta 4.0, supported) and emr-spark-8.2.0 (Spark 4.1.3, Delta 4.2.0: neither minor version is the build's, not supported)."
  }
}

run "rejects_emr_spark_8_2_0_which_ships_spark_4_1" {
  command = plan

  variables {
    release_label = "emr-spark-8.2.0"
  }

  expect_failures = [var.release_label]
}

run "rejects_a_release_label_the_module_does_not_know" {
  command = plan

  variables {
    release_label = "emr-spark-8.9.0"
  }

  expect_failures = [var.release_label]
}

run "rejects_empty_subnet_list" {
  command = plan

  variables {
    subnet_ids = []
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_no_security_group_at_all" {
  command = plan

  variables {
    create_security_group = false
    security_group_ids    = []
  }

  expect_failures = [var.security_group_ids]
}

run "rejects_open_kafka_cidr" {
  command = plan

  variables {
    kafka_cidr_blocks = ["0.0.0.0/0"]
  }

  expect_failures = [var.kafka_cidr_blocks]
}
