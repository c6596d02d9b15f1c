output "cluster_created" {
  description = "Whether this module created the cluster (false: existing_bootstrap_brokers is used)."
  value       = local.create
}

output "bootstrap_brokers" {
  description = "SASL/IAM bootstrap brokers (host:9098,...) for the jobs' --bootstrap-servers."
  value       = local.create ? try(aws_msk_cluster.this[0].bootstrap_brokers_sasl_iam, null) : var.existing_bootstrap_brokers
}

output "cluster_arn" {
  description = "ARN of the MSK cluster (created or existing)."
  value       = local.cluster_arn
}

output "topic_arns" {
  description = "IAM resource ARNs of the pipeline topics (kafka-cluster:DescribeTopic, ReadData, CreateTopic), in the order of topic_names."
  value       = local.topic_arns
}

output "group_arns" {
  description = "IAM resource ARN patterns of the consumer groups the jobs may use (kafka-cluster:DescribeGroup, AlterGroup)."
  value       = local.group_arns
}

output "topic_names" {
  description = "The pipeline topics (topic_names)."
  value       = var.topic_names
}

output "security_group_ids" {
  description = "Security group of the brokers (empty with an existing cluster); the clients allow egress to it."
  value       = local.create ? [aws_security_group.brokers[0].id] : []
}

output "log_group_name" {
  description = "CloudWatch log group of the broker logs (null with an existing cluster)."
  value       = local.create ? local.log_group_name : null
}
