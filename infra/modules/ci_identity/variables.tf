variable "project" {
  description = "Project name, the prefix of the role names (\"<project>-<environment>-deploy\", \"<project>-<environment>-plan\")."
  type        = string
  default     = "medallion"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "github_repository" {
  description = "The GitHub repository whose workflows may assume the roles, as \"owner/name\", spelled exactly as GitHub does (the trust policy compares it case-sensitively)."
  type        = string

  # GitHub: an owner is 1-39 letters, digits and hyphens; a repository name
  # 1-100 letters, digits, ".", "_" and "-", and not "." or "..". No wildcard
  # can pass, so the trust can never widen to other repositories.
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository)) && !contains([".", ".."], try(split("/", var.github_repository)[1], "."))
    error_message = "github_repository must be \"owner/name\" of one repository (for example \"acme/medallion\"): letters, digits and hyphens for the owner; letters, digits, \".\", \"_\" and \"-\" for the name; no wildcards (* or ?)."
  }
}

variable "environments" {
  description = "The environments of this account, each a GitHub environment of the same name (dev, prod): one deploy role (and one plan role) each."
  type        = list(string)

  validation {
    condition     = length(var.environments) > 0 && length(distinct(var.environments)) == length(var.environments) && alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9]{1,15}$", e))])
    error_message = "environments must list at least one environment, each once, each 2-16 lowercase letters and digits starting with a letter (the names of envs/<env> and of the GitHub environments)."
  }
}

variable "deploy_ref" {
  description = "Optional: the git ref a deploy role's token must also come from (the token's ref claim, for example \"refs/heads/main\"); null: any ref the GitHub environment's deployment-branch rule allows. STS checks this claim since 2026 (token.actions.githubusercontent.com:ref)."
  type        = string
  default     = null

  validation {
    condition     = var.deploy_ref == null || can(regex("^refs/(heads|tags)/[A-Za-z0-9._/-]+$", coalesce(var.deploy_ref, "-")))
    error_message = "deploy_ref must be one branch or tag ref such as \"refs/heads/main\": no wildcards."
  }
}

variable "existing_oidc_provider_arn" {
  description = "ARN of the account's existing IAM OIDC provider for token.actions.githubusercontent.com (an account has at most one per URL); null: create it here."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.existing_oidc_provider_arn, "-")))
    error_message = "existing_oidc_provider_arn must be the ARN of an IAM OIDC provider for token.actions.githubusercontent.com (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com)."
  }
}

################################################################################
# Terraform state (bootstrap/)
################################################################################

variable "state_bucket_name" {
  description = "Bucket of the environments' Terraform state (bootstrap's state bucket)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "state_key_prefix" {
  description = "Prefix of the environments' state keys: an environment's state is <prefix><environment>/terraform.tfstate (backend.hcl.example and ci/lib.sh use medallion/<env>/terraform.tfstate), its lock file the same with .tflock."
  type        = string
  default     = "medallion/"

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+/)*$", var.state_key_prefix)) && !strcontains(var.state_key_prefix, "*")
    error_message = "state_key_prefix must be empty or folder names each ending in \"/\" (for example \"medallion/\"), without wildcards."
  }
}

variable "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state (bootstrap's state key)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN."
  }
}

################################################################################
# What the roles may do besides the state: the operator's choice
################################################################################

variable "deploy_role_policy_arns" {
  description = "Managed policies attached to every deploy role: what Terraform may do to manage the environment's resources (see README: IAM, S3, KMS, EMR Serverless, MSK, EC2 security groups, Glue, Athena, DynamoDB, CloudWatch Logs and alarms, Step Functions, EventBridge Scheduler, SNS, Amazon Managed Service for Prometheus). Empty: the roles can reach the state only; nothing is attached by default."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.deploy_role_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+$", a))])
    error_message = "deploy_role_policy_arns must be IAM policy ARNs."
  }
}

variable "create_plan_roles" {
  description = "Create a plan role per environment for the pull-request plans (ci/plan.sh, pr.yml), trusted for the repository's pull_request tokens."
  type        = bool
  default     = true
  nullable    = false
}

variable "plan_role_policy_arns" {
  description = "Managed policies attached to every plan role: the read-only access terraform plan needs to refresh the environment's resources (for example arn:aws:iam::aws:policy/ReadOnlyAccess, or a narrower policy of your own). Empty: the roles can read the state only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.plan_role_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+$", a))])
    error_message = "plan_role_policy_arns must be IAM policy ARNs."
  }
}

variable "max_session_duration" {
  description = "Longest session of the roles, in seconds: .github/workflows/deploy.yml asks for 7200 (role-duration-seconds), and an MSK cluster takes 20-40 minutes to create."
  type        = number
  default     = 7200
  nullable    = false

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "max_session_duration must be a whole number of seconds from 3600 to 43200."
  }
}

variable "tags" {
  description = "Tags of the roles and the OIDC provider."
  type        = map(string)
  default     = {}
  nullable    = false
}
