output "artifact_uri" {
  description = "s3:// URI of the folder of artifact_version: ci/publish.sh uploads the jar and the pipeline spec into it."
  value       = local.artifact_uri
}

output "jar_uri" {
  description = "s3:// URI of the jobs jar of artifact_version."
  value       = local.jar_uri
}

output "pipeline_uri" {
  description = "s3:// URI of the pipeline spec of artifact_version."
  value       = local.pipeline_uri
}

output "lake_root" {
  description = "Lake root the jobs read and write (s3a://<bucket>)."
  value       = local.lake_root
}

output "catalog_arguments" {
  description = "The arguments every job run passes after --pipeline and --lake-root: --catalog glue, then --glue-database LAYER=NAME for bronze, silver, gold and _system."
  value       = local.catalog_arguments
}

output "streaming_job_name" {
  description = "Name of the streaming job run (ci/streaming.sh replaces the running one of this name)."
  value       = local.streaming_name
}

output "streaming_job_run_request" {
  description = "StartJobRun request of the streaming ingest and refine job, as JSON for `aws emr-serverless start-job-run --cli-input-json`."
  value       = jsonencode(local.streaming_request)
}

output "topics_job_run_request" {
  description = "StartJobRun request (JSON) of the `topics --create` job run, which creates the pipeline spec's missing Kafka topics (mode BATCH, topics_timeout_minutes); null without kafka_bootstrap_servers. ci/deploy.sh runs it to SUCCESS before it (re)starts the streaming job."
  value       = local.topics_request == null ? null : jsonencode(local.topics_request)
}

output "batch_job_names" {
  description = "Batch job names in run order."
  value       = [for j in var.batch_jobs : j.name]
}

output "batch_job_timeouts_minutes" {
  description = "Time limit of each batch job, in minutes."
  value       = { for j in var.batch_jobs : j.name => j.timeout_minutes }
}

output "batch_state_machine_parameters" {
  description = "Parameters of each batch job's emr-serverless:startJobRun.sync task, by job name."
  value       = local.batch_parameters
}

output "kafka_client_properties" {
  description = "Kafka client settings for MSK IAM authentication: the four the streaming job sets itself with --kafka-auth aws-msk-iam, for other Kafka clients (for example the Kafka CLI, to inspect the topics)."
  value       = local.kafka_client_properties
}

output "spark_kafka_options" {
  description = "The same settings as Spark Kafka source options (\"kafka.\" prefix), for code that sets them on readStream."
  value       = { for k, v in local.kafka_client_properties : "kafka.${k}" => v }
}
