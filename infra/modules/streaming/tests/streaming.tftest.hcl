# Security properties of the MSK cluster (RELIABILITY.md: TLS in transit and
# in the cluster, IAM auth only, no public access, durable topic settings, no
# open ingress), checked on a plan with a mocked AWS provider.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_security_group" {
    defaults = {
      id = "sg-0aaaaaaaaaaaaaaaa"
    }
  }

  mock_resource "aws_msk_configuration" {
    defaults = {
      arn             = "arn:aws:kafka:eu-west-1:123456789012:configuration/medallion-test-kafka-3-9-x/11111111-2222-3333-4444-555555555555-1"
      latest_revision = 1
    }
  }

  mock_resource "aws_msk_cluster" {
    defaults = {
      arn                        = "arn:aws:kafka:eu-west-1:123456789012:cluster/medallion-test/11111111-2222-3333-4444-555555555555-1"
      bootstrap_brokers_sasl_iam = "b-1.medallion-test.kafka.eu-west-1.amazonaws.com:9098,b-2.medallion-test.kafka.eu-west-1.amazonaws.com:9098"
    }
  }
}

variables {
  name                      = "medallion-test"
  vpc_id                    = "vpc-0123456789abcdef0"
  subnet_ids                = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  client_security_group_ids = ["sg-0123456789abcdef0"]
  broker_instance_type      = "kafka.m7g.large"
  number_of_broker_nodes    = 3
  kms_key_arn               = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  topic_names               = ["plays", "impressions", "titles"]
}

run "tls_in_transit_and_in_cluster_with_the_project_key_at_rest" {
  command = plan

  assert {
    condition     = aws_msk_cluster.this[0].encryption_info[0].encryption_in_transit[0].client_broker == "TLS"
    error_message = "Clients must talk to the brokers over TLS only (client_broker = \"TLS\")."
  }

  assert {
    condition     = aws_msk_cluster.this[0].encryption_info[0].encryption_in_transit[0].in_cluster == true
    error_message = "Traffic between brokers must be encrypted (in_cluster = true)."
  }

  assert {
    condition     = aws_msk_cluster.this[0].encryption_info[0].encryption_at_rest_kms_key_arn == var.kms_key_arn
    error_message = "Broker storage must be encrypted with the project KMS key."
  }
}

run "iam_authentication_only_and_no_public_access" {
  command = plan

  assert {
    condition     = aws_msk_cluster.this[0].client_authentication[0].sasl[0].iam == true
    error_message = "IAM authentication (SASL/IAM) must be on."
  }

  assert {
    condition     = aws_msk_cluster.this[0].client_authentication[0].unauthenticated == false
    error_message = "Unauthenticated access must be off."
  }

  assert {
    condition     = aws_msk_cluster.this[0].client_authentication[0].sasl[0].scram == false && length(aws_msk_cluster.this[0].client_authentication[0].tls) == 0
    error_message = "IAM must be the only authentication: no SCRAM secrets, no client certificates."
  }

  assert {
    condition     = aws_msk_cluster.this[0].broker_node_group_info[0].connectivity_info[0].public_access[0].type == "DISABLED"
    error_message = "Public access to the brokers must be disabled."
  }

  assert {
    condition     = toset(aws_msk_cluster.this[0].broker_node_group_info[0].client_subnets) == toset(var.subnet_ids)
    error_message = "The brokers must run in exactly the given private subnets."
  }

  assert {
    condition     = aws_msk_cluster.this[0].number_of_broker_nodes == 3 && aws_msk_cluster.this[0].broker_node_group_info[0].instance_type == "kafka.m7g.large"
    error_message = "Broker count and instance type must be the given ones."
  }
}

run "configuration_is_durable_and_never_creates_topics" {
  command = plan

  assert {
    condition     = contains(split("\n", aws_msk_configuration.this[0].server_properties), "auto.create.topics.enable=false")
    error_message = "Topic auto-creation must be off."
  }

  assert {
    condition     = contains(split("\n", aws_msk_configuration.this[0].server_properties), "default.replication.factor=3")
    error_message = "Topics must be replicated 3 times by default."
  }

  assert {
    condition     = contains(split("\n", aws_msk_configuration.this[0].server_properties), "min.insync.replicas=2")
    error_message = "min.insync.replicas must be 2."
  }

  assert {
    condition     = contains(split("\n", aws_msk_configuration.this[0].server_properties), "unclean.leader.election.enable=false")
    error_message = "Unclean leader election must be off."
  }

  assert {
    condition     = aws_msk_cluster.this[0].configuration_info[0].arn == aws_msk_configuration.this[0].arn && aws_msk_cluster.this[0].configuration_info[0].revision == 1
    error_message = "The cluster must use the latest revision of this configuration."
  }
}

run "ingress_only_from_the_client_security_groups_and_no_egress" {
  command = plan

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.from_clients) == length(var.client_security_group_ids)
    error_message = "There must be one ingress rule per client security group, and no other."
  }

  assert {
    condition = alltrue([
      for r in aws_vpc_security_group_ingress_rule.from_clients :
      r.cidr_ipv4 == null && r.cidr_ipv6 == null && r.prefix_list_id == null && contains(var.client_security_group_ids, r.referenced_security_group_id)
    ])
    error_message = "Ingress must come from the client security groups only, never from a CIDR (no 0.0.0.0/0)."
  }

  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.from_clients : r.from_port == 9098 && r.to_port == 9098 && r.ip_protocol == "tcp"])
    error_message = "Ingress must be limited to 9098/tcp (SASL/IAM over TLS)."
  }

  assert {
    condition     = aws_msk_cluster.this[0].broker_node_group_info[0].security_groups == toset(["sg-0aaaaaaaaaaaaaaaa"])
    error_message = "The brokers must use only the module's security group."
  }

  assert {
    condition     = length(aws_security_group.brokers[0].egress) == 0
    error_message = "The brokers' security group must have no egress rule (brokers only answer connections): no all-ports egress."
  }
}

run "broker_logs_are_encrypted_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.brokers[0].kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.brokers[0].retention_in_days > 0
    error_message = "The broker log group must be encrypted with the project key and have a finite retention."
  }

  assert {
    condition     = aws_msk_cluster.this[0].logging_info[0].broker_logs[0].cloudwatch_logs[0].enabled && aws_msk_cluster.this[0].logging_info[0].broker_logs[0].cloudwatch_logs[0].log_group == "/aws/msk/medallion-test"
    error_message = "Broker logs must go to the module's log group."
  }
}

run "outputs_name_the_pipeline_topics_and_spark_groups" {
  command = plan

  assert {
    condition     = output.bootstrap_brokers == "b-1.medallion-test.kafka.eu-west-1.amazonaws.com:9098,b-2.medallion-test.kafka.eu-west-1.amazonaws.com:9098"
    error_message = "bootstrap_brokers must be the cluster's SASL/IAM brokers."
  }

  assert {
    condition = tolist(output.topic_arns) == tolist([
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/11111111-2222-3333-4444-555555555555-1/plays",
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/11111111-2222-3333-4444-555555555555-1/impressions",
      "arn:aws:kafka:eu-west-1:123456789012:topic/medallion-test/11111111-2222-3333-4444-555555555555-1/titles",
    ])
    error_message = "topic_arns must name exactly the plays, impressions and titles topics of this cluster."
  }

  assert {
    condition     = tolist(output.group_arns) == tolist(["arn:aws:kafka:eu-west-1:123456789012:group/medallion-test/11111111-2222-3333-4444-555555555555-1/spark-kafka-source-*"])
    error_message = "group_arns must cover only Spark's spark-kafka-source-* groups of this cluster."
  }

}

run "existing_cluster_creates_nothing" {
  command = plan

  variables {
    existing_bootstrap_brokers = "b-1.shared.kafka.eu-west-1.amazonaws.com:9098"
    existing_cluster_arn       = "arn:aws:kafka:eu-west-1:123456789012:cluster/shared/22222222-3333-4444-5555-666666666666-2"
    subnet_ids                 = []
    client_security_group_ids  = []
  }

  assert {
    condition     = length(aws_msk_cluster.this) == 0 && length(aws_msk_configuration.this) == 0 && length(aws_security_group.brokers) == 0 && length(aws_cloudwatch_log_group.brokers) == 0
    error_message = "With an existing cluster, no cluster, configuration, security group or log group may be created."
  }

  assert {
    condition     = output.bootstrap_brokers == var.existing_bootstrap_brokers && length(output.security_group_ids) == 0
    error_message = "With an existing cluster, its brokers are the output."
  }

  assert {
    condition     = output.topic_arns[0] == "arn:aws:kafka:eu-west-1:123456789012:topic/shared/22222222-3333-4444-5555-666666666666-2/plays"
    error_message = "Topic ARNs must derive from the existing cluster's ARN."
  }
}

run "rejects_malformed_kafka_version" {
  command = plan

  variables {
    kafka_version = "latest"
  }

  expect_failures = [var.kafka_version]
}

run "rejects_kafka_2" {
  command = plan

  variables {
    kafka_version = "2.8.1"
  }

  expect_failures = [var.kafka_version]
}

run "rejects_broker_count_not_a_multiple_of_subnets" {
  command = plan

  variables {
    number_of_broker_nodes = 4
  }

  expect_failures = [var.number_of_broker_nodes]
}

run "rejects_fewer_brokers_than_replicas" {
  command = plan

  variables {
    subnet_ids             = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    number_of_broker_nodes = 2
  }

  expect_failures = [var.number_of_broker_nodes]
}

run "rejects_instance_type_without_kafka_prefix" {
  command = plan

  variables {
    broker_instance_type = "m7g.large"
  }

  expect_failures = [var.broker_instance_type]
}

run "rejects_single_subnet" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_existing_brokers_without_cluster_arn" {
  command = plan

  variables {
    existing_bootstrap_brokers = "b-1.shared.kafka.eu-west-1.amazonaws.com:9098"
  }

  expect_failures = [var.existing_cluster_arn]
}

run "rejects_any_consumer_group" {
  command = plan

  variables {
    consumer_group_patterns = ["*"]
  }

  expect_failures = [var.consumer_group_patterns]
}

run "rejects_wildcard_topic" {
  command = plan

  variables {
    topic_names = ["plays", "*"]
  }

  expect_failures = [var.topic_names]
}
