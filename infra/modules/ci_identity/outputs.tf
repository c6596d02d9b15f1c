output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of token.actions.githubusercontent.com the roles trust (created here, or existing_oidc_provider_arn)."
  value       = local.oidc_provider_arn
}

output "deploy_role_arns" {
  description = "Deploy role ARN by environment: the AWS_DEPLOY_ROLE_ARN variable of that GitHub environment."
  value       = { for e, r in aws_iam_role.deploy : e => r.arn }
}

output "deploy_role_names" {
  description = "Deploy role name by environment: put it in that environment's ci_role_names (envs/<env>), which attaches the job-submitter policy to it."
  value       = { for e, r in aws_iam_role.deploy : e => r.name }
}

output "deploy_subjects" {
  description = "The token subject each deploy role trusts (repo:<owner>/<repo>:environment:<env>)."
  value       = local.deploy_subjects
}

output "plan_role_arns" {
  description = "Plan role ARN by environment (empty without create_plan_roles): the AWS_PLAN_ROLE_ARN_<ENV> repository variables of pr.yml."
  value       = { for e, r in aws_iam_role.plan : e => r.arn }
}

output "plan_subject" {
  description = "The token subject the plan roles trust (repo:<owner>/<repo>:pull_request); null without plan roles."
  value       = var.create_plan_roles ? local.plan_subject : null
}

output "deploy_state_policies" {
  description = "Each deploy role's access to its environment's state (JSON policy by environment), for review."
  value       = { for e, p in local.deploy_state_policy : e => jsonencode(p) }
}
