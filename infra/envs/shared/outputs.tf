# What CI and job submission need (envs/<env>/outputs.tf links here);
# descriptions in ../../modules/platform/outputs.tf.

output "lake_bucket_name" {
  value = module.platform.lake_bucket_name
}

output "artifacts_uri" {
  value = module.platform.artifacts_uri
}

output "lake_prefix_uris" {
  value = module.platform.lake_prefix_uris
}

output "kms_key_arn" {
  value = module.platform.kms_key_arn
}

output "emr_application_id" {
  value = module.platform.emr_application_id
}

output "emr_job_role_arn" {
  value = module.platform.emr_job_role_arn
}

output "emr_log_group_name" {
  value = module.platform.emr_log_group_name
}

output "delta_spark_conf" {
  value = module.platform.delta_spark_conf
}

output "athena_workgroup_name" {
  value = module.platform.athena_workgroup_name
}

output "analysts_role_arn" {
  value = module.platform.analysts_role_arn
}

output "glue_database_names" {
  value = module.platform.glue_database_names
}

output "glue_system_database_name" {
  value = module.platform.glue_system_database_name
}

output "operators_role_arn" {
  value = module.platform.operators_role_arn
}

output "operators_athena_workgroup_name" {
  value = module.platform.operators_athena_workgroup_name
}

output "prometheus_workspace_arn" {
  value = module.platform.prometheus_workspace_arn
}

output "prometheus_remote_write_url" {
  value = module.platform.prometheus_remote_write_url
}

output "ci_policy_arn" {
  value = module.platform.ci_policy_arn
}

output "artifact_version" {
  value = module.platform.artifact_version
}

output "jar_uri" {
  value = module.platform.jar_uri
}

output "pipeline_uri" {
  value = module.platform.pipeline_uri
}

output "lake_root" {
  value = module.platform.lake_root
}

output "kafka_bootstrap_brokers" {
  value = module.platform.kafka_bootstrap_brokers
}

output "kafka_cluster_arn" {
  value = module.platform.kafka_cluster_arn
}

output "kafka_topics" {
  value = module.platform.kafka_topics
}

output "kafka_topic_arns" {
  value = module.platform.kafka_topic_arns
}

output "kafka_group_arns" {
  value = module.platform.kafka_group_arns
}

output "kafka_client_properties" {
  value = module.platform.kafka_client_properties
}

output "kafka_spark_options" {
  value = module.platform.kafka_spark_options
}

output "streaming_job_name" {
  value = module.platform.streaming_job_name
}

output "streaming_job_run_request" {
  value = module.platform.streaming_job_run_request
}

output "topics_job_run_request" {
  value = module.platform.topics_job_run_request
}

output "batch_state_machine_arn" {
  value = module.platform.batch_state_machine_arn
}

output "batch_schedule_name" {
  value = module.platform.batch_schedule_name
}

output "alarm_topic_arn" {
  value = module.platform.alarm_topic_arn
}
