output "artifact_uri" {
  description = "s3:// URI of the artifacts folder of artifact_version."
  value       = module.jobs.artifact_uri
}

output "jar_uri" {
  description = "s3:// URI of the jobs jar the jobs run (ci/publish.sh uploads it there)."
  value       = module.jobs.jar_uri
}

output "pipeline_uri" {
  description = "s3:// URI of the pipeline spec the jobs run."
  value       = module.jobs.pipeline_uri
}

output "lake_root" {
  description = "Lake root of the jobs (s3a://<bucket>)."
  value       = module.jobs.lake_root
}

output "streaming_job_name" {
  description = "Name of the streaming job run."
  value       = module.jobs.streaming_job_name
}

output "streaming_job_run_request" {
  description = "StartJobRun request (JSON) of the streaming ingest and refine job: aws emr-serverless start-job-run --cli-input-json \"$(terraform output -raw streaming_job_run_request)\"."
  value       = module.jobs.streaming_job_run_request
}

output "topics_job_run_request" {
  description = "StartJobRun request (JSON) of the `topics --create` job run, which creates the pipeline spec's missing Kafka topics before the streaming job starts (ci/deploy.sh); null without Kafka brokers."
  value       = module.jobs.topics_job_run_request
}

output "batch_state_machine_parameters" {
  description = "Parameters of each batch job's emr-serverless:startJobRun.sync task in the state machine definition (the StartJobRun request of the job run), by job name."
  value       = { for j in local.batch_job_names : j => local.definition.States[local.task_state[j]].Parameters }
}

output "state_machine_arn" {
  description = "ARN of the batch state machine."
  value       = local.state_machine_arn
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule of the batch jobs."
  value       = local.schedule_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the batch-failure alarm."
  value       = local.topic_arn
}

output "state_machine_log_group_name" {
  description = "CloudWatch log group of the state machine's executions."
  value       = local.log_group_name
}

output "kafka_client_properties" {
  description = "Kafka client settings for MSK IAM authentication, for Kafka clients such as the Kafka CLI (the streaming job sets the same four with --kafka-auth aws-msk-iam)."
  value       = module.jobs.kafka_client_properties
}

output "spark_kafka_options" {
  description = "The same settings as Spark Kafka source options (kafka.security.protocol, ...)."
  value       = module.jobs.spark_kafka_options
}
