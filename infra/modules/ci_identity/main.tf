# Who CI is in AWS: GitHub Actions' OIDC identity provider, and per
# environment a deploy role that only the token of a job running in that
# environment of the one repository may assume (plus, optionally, a plan role
# for the repository's pull requests). No access keys anywhere.
#
# The roles get access to their environment's Terraform state (bootstrap/'s
# bucket and key) and nothing else of their own: what Terraform may do to
# the environment's resources is the operator's choice (deploy_role_policy_arns,
# plan_role_policy_arns), and the job-submitter policy of modules/job_submitter
# is attached by the environment itself (ci_role_names).

data "aws_partition" "current" {}

locals {
  issuer   = "token.actions.githubusercontent.com"
  audience = "sts.amazonaws.com"

  # The account has at most one provider per URL: use the existing one, or
  # create it here.
  oidc_provider_arn = coalesce(var.existing_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))

  # The token of a job with `environment: <env>` has sub
  # repo:<owner>/<repo>:environment:<env>; a pull request's job without an
  # environment has repo:<owner>/<repo>:pull_request. Exact values
  # (StringEquals), no wildcard.
  deploy_subjects = { for e in var.environments : e => "repo:${var.github_repository}:environment:${e}" }
  plan_subject    = "repo:${var.github_repository}:pull_request"

  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket_name}"
  state_keys = { for e in var.environments : e => "${var.state_key_prefix}${e}/terraform.tfstate" }

  trust = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid       = "GitHubActionsJobsOfEnvironment${title(e)}"
          Effect    = "Allow"
          Principal = { Federated = local.oidc_provider_arn }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = merge(
              {
                "${local.issuer}:aud" = local.audience
                "${local.issuer}:sub" = local.deploy_subjects[e]
              },
              var.deploy_ref == null ? {} : { "${local.issuer}:ref" = var.deploy_ref },
            )
          }
        },
      ]
    }
  }

  plan_trust = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "GitHubActionsPullRequests"
        Effect    = "Allow"
        Principal = { Federated = local.oidc_provider_arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = local.audience
            "${local.issuer}:sub" = local.plan_subject
          }
        }
      },
    ]
  }

  # The S3 backend with use_lockfile and kms_key_id (envs/shared/versions.tf):
  # list the bucket, read and write the environment's state object, create
  # and delete its lock file, encrypt and decrypt with the state key. The
  # listing is of the bucket's keys (Terraform lists workspaces under its own
  # prefix), not of their content.
  deploy_state_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ListStateBucket"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [local.bucket_arn]
        },
        {
          Sid      = "ReadWriteEnvironmentState"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${local.bucket_arn}/${local.state_keys[e]}"]
        },
        {
          Sid      = "LockEnvironmentState"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
          Resource = ["${local.bucket_arn}/${local.state_keys[e]}.tflock"]
        },
        {
          Sid      = "UseStateKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
          Resource = [var.state_kms_key_arn]
        },
      ]
    }
  }

  # ci/plan.sh plans with -lock=false: read the state, nothing else.
  plan_state_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ListStateBucket"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [local.bucket_arn]
        },
        {
          Sid      = "ReadEnvironmentState"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.bucket_arn}/${local.state_keys[e]}"]
        },
        {
          Sid      = "DecryptWithStateKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [var.state_kms_key_arn]
        },
      ]
    }
  }

  plan_environments = var.create_plan_roles ? var.environments : []

  deploy_attachments = {
    for pair in setproduct(var.environments, var.deploy_role_policy_arns) : "${pair[0]} ${pair[1]}" => { environment = pair[0], policy_arn = pair[1] }
  }
  plan_attachments = {
    for pair in setproduct(local.plan_environments, var.plan_role_policy_arns) : "${pair[0]} ${pair[1]}" => { environment = pair[0], policy_arn = pair[1] }
  }
}

# GitHub's issuer, for the audience the aws-actions/configure-aws-credentials
# action asks for. No thumbprint_list: AWS verifies GitHub's OIDC endpoint
# against its own trusted root CAs and ignores thumbprints for it, and the
# AWS provider (5.x, here ~> 5.100) no longer requires the argument.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = [local.audience]
  tags           = var.tags
}

################################################################################
# Deploy roles: one per environment
################################################################################

resource "aws_iam_role" "deploy" {
  for_each = toset(var.environments)

  name                 = "${var.project}-${each.key}-deploy"
  description          = "Medallion CI: deploys ${each.key} from GitHub Actions jobs of the ${each.key} environment of ${var.github_repository}"
  assume_role_policy   = jsonencode(local.trust[each.key])
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "deploy_state" {
  for_each = toset(var.environments)

  name   = "terraform-state"
  role   = aws_iam_role.deploy[each.key].name
  policy = jsonencode(local.deploy_state_policy[each.key])
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = local.deploy_attachments

  role       = aws_iam_role.deploy[each.value.environment].name
  policy_arn = each.value.policy_arn
}

################################################################################
# Plan roles: one per environment, for pull requests
################################################################################

resource "aws_iam_role" "plan" {
  for_each = toset(local.plan_environments)

  name                 = "${var.project}-${each.key}-plan"
  description          = "Medallion CI: plans ${each.key} for pull requests of ${var.github_repository} (read-only)"
  assume_role_policy   = jsonencode(local.plan_trust)
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "plan_state" {
  for_each = toset(local.plan_environments)

  name   = "terraform-state-read"
  role   = aws_iam_role.plan[each.key].name
  policy = jsonencode(local.plan_state_policy[each.key])
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = local.plan_attachments

  role       = aws_iam_role.plan[each.value.environment].name
  policy_arn = each.value.policy_arn
}
