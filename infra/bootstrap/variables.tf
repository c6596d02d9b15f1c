variable "aws_region" {
  description = "AWS region of the state bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as \"eu-west-1\"."
  }
}

variable "state_bucket_name" {
  description = "Globally unique name of the Terraform state bucket (for example \"acme-medallion-tfstate\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name)) && !strcontains(var.state_bucket_name, "..")
    error_message = "state_bucket_name must be DNS-safe: 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = var.log_bucket_name != null || length(var.state_bucket_name) <= 51
    error_message = "state_bucket_name must be at most 51 characters, so that \"<name>-access-logs\" is a valid bucket name too (or set log_bucket_name)."
  }

  validation {
    condition     = var.log_bucket_name != var.state_bucket_name
    error_message = "The access logs need a bucket of their own: log_bucket_name must not be state_bucket_name."
  }
}

variable "log_bucket_name" {
  description = "Name of the bucket that receives the state bucket's S3 server access logs; default \"<state_bucket_name>-access-logs\"."
  type        = string
  default     = null

  validation {
    condition     = var.log_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.log_bucket_name, "x")))
    error_message = "log_bucket_name must be a DNS-safe bucket name."
  }
}

variable "state_kms_key_alias" {
  description = "Alias of the KMS key that encrypts the state. The environments' backends name it (kms_key_id in infra/envs/shared/versions.tf): change both together."
  type        = string
  default     = "alias/medallion-terraform-state"

  validation {
    condition     = can(regex("^alias/[a-zA-Z0-9/_-]+$", var.state_kms_key_alias)) && !startswith(var.state_kms_key_alias, "alias/aws/")
    error_message = "state_kms_key_alias must look like \"alias/medallion-terraform-state\" (not an alias/aws/ name)."
  }
}

variable "access_log_expiration_days" {
  description = "Days after which the state bucket's access logs are expired."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1 && floor(var.access_log_expiration_days) == var.access_log_expiration_days
    error_message = "access_log_expiration_days must be a whole number >= 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days old state versions are kept (they are the way back from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be >= 1."
  }
}

variable "tags" {
  description = "Tags for the state bucket."
  type        = map(string)
  default     = {}
}

################################################################################
# CI identity (ci.tf, modules/ci_identity); nothing without github_repository
################################################################################

variable "github_repository" {
  description = "The GitHub repository (\"owner/name\", as GitHub spells it) whose workflows deploy from this account; null: no CI identity here (modules/ci_identity validates it)."
  type        = string
  default     = null
}

variable "ci_environments" {
  description = "The environments deployed from this account, each a GitHub environment of the same name: one deploy role (and plan role) each, \"<project>-<env>-deploy\"."
  type        = list(string)
  default     = ["dev", "prod"]
  nullable    = false
}

variable "ci_deploy_ref" {
  description = "Optional: the git ref the deploy roles' tokens must also come from (for example \"refs/heads/main\", the branch main.yml deploys); null: only the GitHub environment decides."
  type        = string
  default     = null
}

variable "existing_github_oidc_provider_arn" {
  description = "The account's IAM OIDC provider for token.actions.githubusercontent.com, if it has one already; null: create it."
  type        = string
  default     = null
}

variable "ci_create_plan_roles" {
  description = "Create the pull-request plan roles (\"<project>-<env>-plan\")."
  type        = bool
  default     = true
  nullable    = false
}

variable "ci_deploy_role_policy_arns" {
  description = "Managed policies for the deploy roles: what Terraform may do to the environments' resources (your choice; see modules/ci_identity/README.md). Default none: the roles reach only their state."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "ci_plan_role_policy_arns" {
  description = "Managed policies for the plan roles: the read-only access terraform plan needs (your choice). Default none: the roles read only their state."
  type        = list(string)
  default     = []
  nullable    = false
}
