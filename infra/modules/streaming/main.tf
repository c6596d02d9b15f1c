# Kafka for the streaming jobs: an Amazon MSK cluster that only IAM-authenticated
# clients reach, over TLS, from the EMR Serverless workers' security group; or,
# with existing_bootstrap_brokers, an existing cluster. Either way the module
# tells the jobs where the brokers are and which IAM resources (cluster,
# topics, consumer groups) they may use.

locals {
  create = var.existing_bootstrap_brokers == null

  # Port of SASL/IAM over TLS inside the VPC.
  iam_port = 9098

  # Durability over availability: a write is acknowledged by 2 of 3 replicas,
  # and an out-of-sync replica never becomes leader (that would lose records
  # bronze may not have read yet). Topics are created on purpose, with their
  # partition counts, never by a typo in a consumer.
  server_properties = {
    "auto.create.topics.enable"      = "false"
    "default.replication.factor"     = "3"
    "min.insync.replicas"            = "2"
    "unclean.leader.election.enable" = "false"
    "log.retention.hours"            = tostring(var.log_retention_hours)
  }

  log_group_name = "/aws/msk/${var.name}"

  cluster_arn = local.create ? try(aws_msk_cluster.this[0].arn, null) : var.existing_cluster_arn

  # IAM names topics and groups after the cluster:
  #   arn:...:cluster/<name>/<uuid> -> arn:...:topic/<name>/<uuid>/<topic>
  topic_arns = [for t in var.topic_names : "${replace(local.cluster_arn, ":cluster/", ":topic/")}/${t}"]
  group_arns = [for g in var.consumer_group_patterns : "${replace(local.cluster_arn, ":cluster/", ":group/")}/${g}"]
}

################################################################################
# Network
################################################################################

# Ingress comes only from the client security groups, as separate rules: the
# clients' group refers to this one for its egress, and inline rules on both
# sides would make the two groups depend on each other. Brokers only answer
# connections, so there is no egress at all: Terraform removes the default
# allow-all egress rule on creation, and egress = [] (managed inline) removes
# any egress rule added out of band on the next apply.
resource "aws_security_group" "brokers" {
  count = local.create ? 1 : 0

  name        = "${var.name}-msk"
  description = "Medallion MSK brokers: Kafka over TLS with IAM auth, only from the job workers"
  vpc_id      = var.vpc_id

  egress = []

  tags = merge(var.tags, { Name = "${var.name}-msk" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_clients" {
  count = local.create ? length(var.client_security_group_ids) : 0

  security_group_id            = aws_security_group.brokers[0].id
  description                  = "Kafka (SASL/IAM over TLS) from the job workers"
  ip_protocol                  = "tcp"
  from_port                    = local.iam_port
  to_port                      = local.iam_port
  referenced_security_group_id = var.client_security_group_ids[count.index]

  tags = var.tags
}

################################################################################
# Cluster
################################################################################

resource "aws_msk_configuration" "this" {
  count = local.create ? 1 : 0

  # Named after the Kafka version: a version change replaces the configuration,
  # and the new one must exist (under a new name) before the old one, still in
  # use, can go.
  name              = "${var.name}-kafka-${replace(var.kafka_version, ".", "-")}"
  description       = "Medallion brokers: replication 3, min.insync.replicas 2, no topic auto-creation, no unclean leader election"
  kafka_versions    = [var.kafka_version]
  server_properties = join("\n", [for k in sort(keys(local.server_properties)) : "${k}=${local.server_properties[k]}"])

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "brokers" {
  count = local.create ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_msk_cluster" "this" {
  count = local.create ? 1 : 0

  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.number_of_broker_nodes

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.brokers[0].id]

    storage_info {
      ebs_storage_info {
        volume_size = var.ebs_volume_size_gb
      }
    }

    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam   = true
      scram = false
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this[0].arn
    revision = aws_msk_configuration.this[0].latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers[0].name
      }
    }
  }

  tags = var.tags
}
