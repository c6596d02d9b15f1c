output "bucket_name" {
  description = "Name of the lake bucket."
  value       = try(aws_s3_bucket.this.bucket, var.bucket_name)
}

output "bucket_arn" {
  description = "ARN of the lake bucket."
  value       = local.bucket_arn
}

output "log_bucket_name" {
  description = "Name of the bucket receiving the lake bucket's S3 server access logs."
  value       = try(aws_s3_bucket.logs.bucket, local.log_bucket_name)
}

output "kms_key_arn" {
  description = "ARN of the project KMS key (S3, Glue catalog, Athena results, DynamoDB, CloudWatch Logs)."
  value       = try(aws_kms_key.this.arn, null)
}

output "kms_key_alias" {
  description = "Alias of the project KMS key."
  value       = try(aws_kms_alias.this.name, null)
}

output "prefixes" {
  description = "Key prefixes (bronze, silver, gold, checkpoints, system, artifacts, athena_results, operators_athena_results), each ending with \"/\"."
  value       = var.prefixes
}

output "prefix_uris" {
  description = "Per-layer s3:// URIs, for Spark (use s3a:// with Hadoop) and Athena."
  value       = { for k, p in var.prefixes : k => "s3://${var.bucket_name}/${p}" }
}

output "artifacts_uri" {
  description = "s3:// URI under which CI publishes job jars and pipeline specs."
  value       = "s3://${var.bucket_name}/${var.prefixes.artifacts}"
}

output "athena_results_uri" {
  description = "s3:// URI of the Athena query results prefix."
  value       = "s3://${var.bucket_name}/${var.prefixes.athena_results}"
}

output "destroy_protected" {
  description = "Whether the destroy guard protects the KMS key and both buckets (prevent_destroy)."
  value       = length(terraform_data.destroy_guard) == 1
}
