variable "name" {
  description = "Name prefix of the policy (for example \"medallion-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens."
  }
}

variable "lake_bucket_name" {
  description = "Name of the lake bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lake_bucket_name))
    error_message = "lake_bucket_name must be a valid S3 bucket name."
  }
}

variable "artifacts_prefix" {
  description = "Prefix of the lake bucket that CI publishes job jars and pipeline specs under."
  type        = string
  default     = "artifacts/"

  validation {
    condition     = endswith(var.artifacts_prefix, "/") && !startswith(var.artifacts_prefix, "/") && length(var.artifacts_prefix) > 1
    error_message = "artifacts_prefix must end with \"/\", not start with \"/\", and not be empty."
  }
}

variable "kms_key_arn" {
  description = "ARN of the project KMS key (artifacts are encrypted with it)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "application_arn" {
  description = "ARN of the EMR Serverless application jobs are submitted to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:emr-serverless:[a-z0-9-]+:[0-9]{12}:/applications/[A-Za-z0-9]+$", var.application_arn))
    error_message = "application_arn must be an EMR Serverless application ARN (arn:aws:emr-serverless:<region>:<account>:/applications/<id>)."
  }
}

variable "job_role_arn" {
  description = "ARN of the job runtime role; the only role this policy may pass, and only to EMR Serverless."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.job_role_arn))
    error_message = "job_role_arn must be an IAM role ARN."
  }
}

variable "state_machine_arn" {
  description = "ARN of the batch state machine the CI smoke test starts and follows; null: no Step Functions permissions."
  type        = string
  default     = null

  validation {
    condition     = var.state_machine_arn == null || can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", coalesce(var.state_machine_arn, "x")))
    error_message = "state_machine_arn must be a Step Functions state machine ARN, without wildcards."
  }
}

variable "attach_to_role_names" {
  description = "Names of existing IAM roles (for example the CI pipeline's OIDC role) to attach the policy to."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the policy."
  type        = map(string)
  default     = {}
}
