output "lake_bucket_name" {
  description = "Lake bucket name."
  value       = module.lake_storage.bucket_name
}

output "artifacts_uri" {
  description = "s3:// URI CI uploads the job jar and pipeline spec under, one folder per version (<artifacts_uri><git sha>/medallion-jobs-spark.jar, .../pipeline.yaml)."
  value       = module.lake_storage.artifacts_uri
}

output "lake_prefix_uris" {
  description = "s3:// URI of each lake prefix."
  value       = module.lake_storage.prefix_uris
}

output "kms_key_arn" {
  description = "Project KMS key ARN (for the job run's CloudWatch logging encryptionKeyArn)."
  value       = module.lake_storage.kms_key_arn
}

output "emr_application_id" {
  description = "EMR Serverless application ID."
  value       = module.emr_serverless.application_id
}

output "emr_job_role_arn" {
  description = "Job runtime role ARN (start-job-run --execution-role-arn)."
  value       = module.emr_serverless.job_role_arn
}

output "emr_log_group_name" {
  description = "CloudWatch log group for job runs."
  value       = module.emr_serverless.log_group_name
}

output "delta_spark_conf" {
  description = "Spark properties for Delta's S3 DynamoDB LogStore."
  value       = module.emr_serverless.spark_conf
}

output "athena_workgroup_name" {
  description = "Athena workgroup for analysts."
  value       = module.catalog.workgroup_name
}

output "analysts_role_arn" {
  description = "Role analysts assume to query gold with Athena."
  value       = module.catalog.analysts_role_arn
}

output "glue_database_names" {
  description = "Glue database per layer (bronze, silver, gold); the system tables' is glue_system_database_name."
  value       = module.catalog.database_names
}

output "glue_system_database_name" {
  description = "Glue database of the system tables, where the jobs register the event log as the table events (Athena: SELECT ... FROM <name>.events)."
  value       = module.catalog.system_database_name
}

output "operators_role_arn" {
  description = "Role operators assume to query the system tables (event log) with Athena; null without operator_principal_arns."
  value       = module.catalog.operators_role_arn
}

output "operators_athena_workgroup_name" {
  description = "Athena workgroup of the operators; null without operator_principal_arns."
  value       = module.catalog.operators_workgroup_name
}

output "prometheus_workspace_arn" {
  description = "Amazon Managed Service for Prometheus workspace of the job runs' Spark metrics; null when not created."
  value       = module.emr_serverless.prometheus_workspace_arn
}

output "prometheus_remote_write_url" {
  description = "Remote write URL the job runs send their Spark metrics to (prometheusMonitoringConfiguration.remoteWriteUrl); null when not created."
  value       = module.emr_serverless.prometheus_remote_write_url
}

output "ci_policy_arn" {
  description = "IAM policy for the CI principal: publish artifacts, run jobs, pass only the job role."
  value       = module.job_submitter.policy_arn
}

output "artifact_version" {
  description = "Version (git commit id) of the artifacts the jobs run."
  value       = var.artifact_version
}

output "jar_uri" {
  description = "s3:// URI of the jobs jar of artifact_version."
  value       = module.orchestration.jar_uri
}

output "pipeline_uri" {
  description = "s3:// URI of the pipeline spec of artifact_version."
  value       = module.orchestration.pipeline_uri
}

output "lake_root" {
  description = "Lake root the jobs use (s3a://<bucket>)."
  value       = module.orchestration.lake_root
}

output "kafka_bootstrap_brokers" {
  description = "SASL/IAM bootstrap brokers of the MSK cluster."
  value       = module.streaming.bootstrap_brokers
}

output "kafka_cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = module.streaming.cluster_arn
}

output "kafka_topics" {
  description = "The Kafka topics: the pipeline spec's source topics, sorted."
  value       = module.streaming.topic_names
}

output "kafka_topic_arns" {
  description = "IAM ARNs of the pipeline topics the job role may describe, read and create (in the order of kafka_topics)."
  value       = module.streaming.topic_arns
}

output "kafka_group_arns" {
  description = "IAM ARN patterns of the consumer groups the job role may use."
  value       = module.streaming.group_arns
}

output "kafka_client_properties" {
  description = "Kafka client settings for MSK IAM auth, for Kafka clients such as the Kafka CLI (the streaming job sets the same four with --kafka-auth aws-msk-iam)."
  value       = module.orchestration.kafka_client_properties
}

output "kafka_spark_options" {
  description = "The same settings as Spark Kafka source options (kafka.security.protocol, ...)."
  value       = module.orchestration.spark_kafka_options
}

output "streaming_job_name" {
  description = "Name of the streaming job run."
  value       = module.orchestration.streaming_job_name
}

output "streaming_job_run_request" {
  description = "StartJobRun request (JSON) of the streaming ingest and refine job."
  value       = module.orchestration.streaming_job_run_request
}

output "topics_job_run_request" {
  description = "StartJobRun request (JSON) of the `topics --create` job run: creates the pipeline spec's missing Kafka topics; ci/deploy.sh runs it to SUCCESS before it (re)starts the streaming job."
  value       = module.orchestration.topics_job_run_request
}

output "batch_state_machine_arn" {
  description = "ARN of the batch state machine (aggregate --once, then maintain)."
  value       = module.orchestration.state_machine_arn
}

output "batch_state_machine_parameters" {
  description = "Parameters of each batch task of the state machine (its emr-serverless:startJobRun.sync job run requests), by job name; for review and for the environments' tests."
  value       = module.orchestration.batch_state_machine_parameters
}

output "batch_schedule_name" {
  description = "EventBridge Scheduler schedule of the batch jobs."
  value       = module.orchestration.schedule_name
}

output "alarm_topic_arn" {
  description = "SNS topic notified when a batch execution fails."
  value       = module.orchestration.alarm_topic_arn
}

output "sizing" {
  description = "The environment's sizing, retention and protection: the preset of size with the given overrides (emr_maximum_capacity, noncurrent_version_expiration_days, log_retention_in_days, athena_bytes_scanned_cutoff_per_query, deletion_protection, msk_broker_instance_type, msk_number_of_broker_nodes, msk_ebs_volume_size_gb)."
  value       = local.sizing
}

output "emr_job_policy" {
  description = "The job role's permissions (JSON), for the tests: among them the Kafka topics it may describe, read and create."
  value       = module.emr_serverless.job_policy
}

output "destroy_protected" {
  description = "Whether the project KMS key and the lake and access-log buckets are guarded against destroy and replacement (deletion_protection)."
  value       = module.lake_storage.destroy_protected
}
