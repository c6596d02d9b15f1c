# The CI identity of this account (modules/ci_identity): GitHub Actions' OIDC
# provider, a deploy role per environment that only jobs of that GitHub
# environment of github_repository may assume, and plan roles for its pull
# requests, with access to their environment's state in the bucket above.
# Here rather than in the environments: the roles that apply an environment
# must exist before its first CI deploy, and must not manage themselves.
# Nothing without github_repository.

module "ci_identity" {
  source = "../modules/ci_identity"
  count  = var.github_repository == null ? 0 : 1

  github_repository          = var.github_repository
  environments               = var.ci_environments
  deploy_ref                 = var.ci_deploy_ref
  existing_oidc_provider_arn = var.existing_github_oidc_provider_arn
  create_plan_roles          = var.ci_create_plan_roles
  deploy_role_policy_arns    = var.ci_deploy_role_policy_arns
  plan_role_policy_arns      = var.ci_plan_role_policy_arns

  state_bucket_name = aws_s3_bucket.this.bucket
  state_kms_key_arn = aws_kms_key.state.arn
}
