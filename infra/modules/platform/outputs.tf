output "lake_bucket_name" {
  description = "Lake bucket name."
  value       = module.lake_storage.bucket_name
}

output "artifacts_uri" {
  description = "s3:// URI CI uploads the job jar and pipeline specs under (for example <artifacts_uri><git sha>/medallion-jobs.jar)."
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
  description = "Glue database per layer."
  value       = module.catalog.database_names
}

output "ci_policy_arn" {
  description = "IAM policy for the CI principal: publish artifacts, run jobs, pass only the job role."
  value       = module.job_submitter.policy_arn
}
