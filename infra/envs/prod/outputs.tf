# What CI and job submission need; descriptions in
# ../../modules/platform/outputs.tf.

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

output "ci_policy_arn" {
  value = module.platform.ci_policy_arn
}
