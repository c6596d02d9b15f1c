# The CI identity: GitHub's OIDC provider, deploy roles that trust only their
# GitHub environment of the one repository, plan roles that trust only its
# pull requests, and state access limited to each role's environment. Plan
# mode with a mocked AWS provider; the trust and permission policies are
# compared as whole documents with the values they must have.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
  }
}

variables {
  github_repository = "acme/medallion"
  environments      = ["dev", "prod"]
  state_bucket_name = "acme-medallion-tfstate"
  state_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"
}

run "creates_the_github_oidc_provider_for_sts" {
  command = plan

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1 && aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com"
    error_message = "The module must create the OIDC provider of https://token.actions.githubusercontent.com."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The provider's only client ID (audience) must be sts.amazonaws.com."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "The output must be the created provider's ARN."
  }
}

run "deploy_roles_trust_only_their_environment_of_the_repository" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role.deploy["prod"].assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid       = "GitHubActionsJobsOfEnvironmentProd"
          Effect    = "Allow"
          Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = {
              "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
              "token.actions.githubusercontent.com:sub" = "repo:acme/medallion:environment:prod"
            }
          }
        },
      ]
    }
    error_message = "prod's deploy role must trust only GitHub's provider, with aud sts.amazonaws.com and sub exactly repo:acme/medallion:environment:prod (StringEquals, one statement, nothing else)."
  }

  assert {
    condition = jsondecode(aws_iam_role.deploy["dev"].assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        "token.actions.githubusercontent.com:sub" = "repo:acme/medallion:environment:dev"
      }
    }
    error_message = "dev's deploy role must trust only jobs of the dev environment of acme/medallion."
  }

  assert {
    condition     = aws_iam_role.deploy["dev"].name == "medallion-dev-deploy" && aws_iam_role.deploy["prod"].name == "medallion-prod-deploy" && length(aws_iam_role.deploy) == 2
    error_message = "There must be one deploy role per environment, medallion-dev-deploy and medallion-prod-deploy."
  }

  assert {
    condition     = aws_iam_role.deploy["prod"].max_session_duration == 7200
    error_message = "The deploy roles must allow the 2-hour sessions deploy.yml asks for (role-duration-seconds: 7200)."
  }

  assert {
    condition     = output.deploy_subjects == { dev = "repo:acme/medallion:environment:dev", prod = "repo:acme/medallion:environment:prod" }
    error_message = "deploy_subjects must name each environment's subject."
  }
}

run "deploy_ref_also_limits_the_branch" {
  command = plan

  variables {
    deploy_ref = "refs/heads/main"
  }

  assert {
    condition = jsondecode(aws_iam_role.deploy["prod"].assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        "token.actions.githubusercontent.com:sub" = "repo:acme/medallion:environment:prod"
        "token.actions.githubusercontent.com:ref" = "refs/heads/main"
      }
    }
    error_message = "With deploy_ref the token must also come from refs/heads/main (StringEquals on the ref claim)."
  }
}

run "deploy_roles_reach_only_their_environments_state" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.deploy_state["dev"].policy) == {
      Version = "2012-10-17"
      Statement = [
        { Sid = "ListStateBucket", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::acme-medallion-tfstate"] },
        { Sid = "ReadWriteEnvironmentState", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = ["arn:aws:s3:::acme-medallion-tfstate/medallion/dev/terraform.tfstate"] },
        { Sid = "LockEnvironmentState", Effect = "Allow", Action = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource = ["arn:aws:s3:::acme-medallion-tfstate/medallion/dev/terraform.tfstate.tflock"] },
        { Sid = "UseStateKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource = ["arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"] },
      ]
    }
    error_message = "dev's deploy role may list the state bucket, read and write only dev's state and lock file, and use the state key: nothing of prod's state."
  }

  assert {
    condition     = aws_iam_role_policy.deploy_state["dev"].role == "medallion-dev-deploy" && aws_iam_role_policy.deploy_state["prod"].role == "medallion-prod-deploy"
    error_message = "Each state policy must belong to its environment's deploy role."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.deploy_state["prod"].policy).Statement[1].Resource == ["arn:aws:s3:::acme-medallion-tfstate/medallion/prod/terraform.tfstate"]
    error_message = "prod's deploy role must write prod's state (medallion/prod/terraform.tfstate)."
  }
}

# Nothing is attached unless the operator names it: no AdministratorAccess,
# no managed policy of the module's choosing.
run "attaches_nothing_the_operator_did_not_choose" {
  command = plan

  assert {
    condition     = length(aws_iam_role_policy_attachment.deploy) == 0 && length(aws_iam_role_policy_attachment.plan) == 0
    error_message = "Without deploy_role_policy_arns and plan_role_policy_arns no managed policy may be attached."
  }
}

run "attaches_the_operators_policies_to_every_role" {
  command = plan

  variables {
    deploy_role_policy_arns = ["arn:aws:iam::123456789012:policy/medallion-terraform"]
    plan_role_policy_arns   = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  }

  assert {
    condition = { for k, a in aws_iam_role_policy_attachment.deploy : a.role => a.policy_arn } == {
      "medallion-dev-deploy"  = "arn:aws:iam::123456789012:policy/medallion-terraform"
      "medallion-prod-deploy" = "arn:aws:iam::123456789012:policy/medallion-terraform"
    }
    error_message = "deploy_role_policy_arns must be attached to each deploy role, and only to them."
  }

  assert {
    condition = { for k, a in aws_iam_role_policy_attachment.plan : a.role => a.policy_arn } == {
      "medallion-dev-plan"  = "arn:aws:iam::aws:policy/ReadOnlyAccess"
      "medallion-prod-plan" = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }
    error_message = "plan_role_policy_arns must be attached to each plan role, and only to them."
  }
}

run "plan_roles_trust_pull_requests_and_only_read_the_state" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role.plan["prod"].assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid       = "GitHubActionsPullRequests"
          Effect    = "Allow"
          Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = {
              "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
              "token.actions.githubusercontent.com:sub" = "repo:acme/medallion:pull_request"
            }
          }
        },
      ]
    }
    error_message = "The plan roles must trust only pull requests of acme/medallion (sub repo:acme/medallion:pull_request, aud sts.amazonaws.com)."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.plan_state["prod"].policy) == {
      Version = "2012-10-17"
      Statement = [
        { Sid = "ListStateBucket", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::acme-medallion-tfstate"] },
        { Sid = "ReadEnvironmentState", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::acme-medallion-tfstate/medallion/prod/terraform.tfstate"] },
        { Sid = "DecryptWithStateKey", Effect = "Allow", Action = ["kms:Decrypt"], Resource = ["arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"] },
      ]
    }
    error_message = "prod's plan role may only read prod's state (no write, no lock file: ci/plan.sh plans with -lock=false)."
  }

  assert {
    condition     = aws_iam_role.plan["dev"].name == "medallion-dev-plan" && output.plan_subject == "repo:acme/medallion:pull_request"
    error_message = "dev's plan role must be medallion-dev-plan."
  }
}

run "without_plan_roles_only_deploy_roles" {
  command = plan

  variables {
    create_plan_roles     = false
    plan_role_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  }

  assert {
    condition     = length(aws_iam_role.plan) == 0 && length(aws_iam_role_policy.plan_state) == 0 && length(aws_iam_role_policy_attachment.plan) == 0 && output.plan_subject == null
    error_message = "With create_plan_roles = false there must be no plan role, policy or attachment."
  }
}

run "an_existing_provider_is_trusted_and_none_created" {
  command = plan

  variables {
    environments               = ["prod"]
    existing_oidc_provider_arn = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "With existing_oidc_provider_arn no provider may be created (an account has one per URL)."
  }

  assert {
    condition     = jsondecode(aws_iam_role.deploy["prod"].assume_role_policy).Statement[0].Principal == { Federated = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com" }
    error_message = "The deploy role must trust the existing provider."
  }

  assert {
    condition     = keys(aws_iam_role.deploy) == ["prod"]
    error_message = "An account with only prod must get only prod's deploy role."
  }
}

run "rejects_any_repository_of_the_owner" {
  command = plan

  variables {
    github_repository = "acme/*"
  }

  expect_failures = [var.github_repository]
}

run "rejects_a_wildcard_owner" {
  command = plan

  variables {
    github_repository = "*/medallion"
  }

  expect_failures = [var.github_repository]
}

run "rejects_a_repository_pattern" {
  command = plan

  variables {
    github_repository = "acme/medallion-?"
  }

  expect_failures = [var.github_repository]
}

run "rejects_a_repository_url" {
  command = plan

  variables {
    github_repository = "https://github.com/acme/medallion"
  }

  expect_failures = [var.github_repository]
}

run "rejects_a_wildcard_deploy_ref" {
  command = plan

  variables {
    deploy_ref = "refs/heads/*"
  }

  expect_failures = [var.deploy_ref]
}

run "rejects_an_environment_name_that_is_not_an_envs_directory" {
  command = plan

  variables {
    environments = ["dev", "Prod"]
  }

  expect_failures = [var.environments]
}

run "rejects_another_oidc_provider" {
  command = plan

  variables {
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
  }

  expect_failures = [var.existing_oidc_provider_arn]
}
