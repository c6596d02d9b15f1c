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

output "github_oidc_provider_arn" {
  description = "IAM OIDC provider of GitHub Actions the CI roles trust; null without github_repository."
  value       = try(module.ci_identity[0].oidc_provider_arn, null)
}

output "ci_deploy_role_arns" {
  description = "Deploy role ARN by environment: the AWS_DEPLOY_ROLE_ARN variable of that GitHub environment. Empty without github_repository."
  value       = try(module.ci_identity[0].deploy_role_arns, {})
}

output "ci_deploy_role_names" {
  description = "Deploy role name by environment: the environment's ci_role_names (envs/<env>/terraform.tfvars), which attaches its job-submitter policy. Empty without github_repository."
  value       = try(module.ci_identity[0].deploy_role_names, {})
}

output "ci_plan_role_arns" {
  description = "Plan role ARN by environment: the AWS_PLAN_ROLE_ARN_<ENV> repository variables. Empty without github_repository or plan roles."
  value       = try(module.ci_identity[0].plan_role_arns, {})
}
