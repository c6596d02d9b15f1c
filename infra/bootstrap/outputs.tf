output "state_bucket_name" {
  description = "Bucket to put in envs/<env>/backend.hcl as bucket."
  value       = aws_s3_bucket.this.bucket
}

output "region" {
  description = "Region to put in envs/<env>/backend.hcl as region."
  value       = var.aws_region
}
