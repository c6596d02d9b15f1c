output "state_bucket_name" {
  description = "Bucket to put in envs/<env>/backend.hcl as bucket."
  value       = aws_s3_bucket.this.bucket
}

output "region" {
  description = "Region to put in envs/<env>/backend.hcl as region."
  value       = var.aws_region
}

output "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state (give the Terraform roles kms:GenerateDataKey and kms:Decrypt on it)."
  value       = aws_kms_key.state.arn
}

output "state_kms_key_alias" {
  description = "Alias of the state key; the environments' backends use it as kms_key_id (envs/shared/versions.tf)."
  value       = aws_kms_alias.state.name
}

output "log_bucket_name" {
  description = "Bucket receiving the state bucket's S3 server access logs."
  value       = aws_s3_bucket.logs.bucket
}
