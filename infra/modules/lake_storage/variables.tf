variable "bucket_name" {
  description = "Name of the lake bucket. Must be DNS-safe: 3-63 characters, lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..")
    error_message = "bucket_name must be DNS-safe: 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, without consecutive dots (for example \"medallion-dev-lake\")."
  }
}

variable "log_bucket_name" {
  description = "Name of the separate bucket that receives S3 server access logs of the lake bucket. Defaults to \"<bucket_name>-access-logs\"."
  type        = string
  default     = null

  validation {
    condition     = var.log_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.log_bucket_name, "x")))
    error_message = "log_bucket_name must be DNS-safe: 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = var.log_bucket_name != var.bucket_name
    error_message = "log_bucket_name must not be the lake bucket: access logs go to a separate bucket."
  }
}

variable "prefixes" {
  description = "Key prefixes inside the lake bucket: the layers, the streaming checkpoints, the platform's system tables (event log, reconciliation, expectation results), the published artifacts and the Athena results of analysts and of operators. Each must end with \"/\" and must not start with \"/\"."
  type = object({
    bronze                   = optional(string, "bronze/")
    silver                   = optional(string, "silver/")
    gold                     = optional(string, "gold/")
    checkpoints              = optional(string, "_checkpoints/")
    system                   = optional(string, "_system/")
    artifacts                = optional(string, "artifacts/")
    athena_results           = optional(string, "athena-results/")
    operators_athena_results = optional(string, "athena-results-operators/")
  })
  default = {}

  validation {
    condition = alltrue([
      for p in values(var.prefixes) : can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/$", p))
    ])
    error_message = "Every prefix must be a relative key prefix ending with \"/\" (for example \"bronze/\"), using only letters, digits, \"_\", \".\" and \"-\"."
  }

  validation {
    condition     = length(distinct(values(var.prefixes))) == length(values(var.prefixes))
    error_message = "Prefixes must be distinct: each layer needs its own prefix."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent (overwritten or deleted) object versions in the lake bucket are expired."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted, in both buckets."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number >= 1."
  }
}

variable "access_log_expiration_days" {
  description = "Days after which access log objects in the log bucket are expired."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1 && floor(var.access_log_expiration_days) == var.access_log_expiration_days
    error_message = "access_log_expiration_days must be a whole number >= 1."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period, in days, before the project KMS key is deleted after destroy (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days must be between 7 and 30."
  }
}

variable "kms_key_administrator_arns" {
  description = "IAM principal ARNs (roles or users) allowed to administer, but not use, the project KMS key. The account root is always allowed so that IAM policies in the account can grant key use."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.kms_key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", a))])
    error_message = "kms_key_administrator_arns must contain IAM role or user ARNs such as \"arn:aws:iam::123456789012:role/platform-admin\"; \"*\" is not accepted."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets. Keep false outside throw-away environments."
  type        = bool
  default     = false
}

variable "prevent_destroy" {
  description = "Guard the KMS key and both buckets against destroy: any plan that destroys or replaces one of them (terraform destroy included) fails, and so does turning the guard off again, until the guard is removed from the state by hand. Requires force_destroy = false and the maximum KMS deletion window (30 days)."
  type        = bool
  default     = false

  validation {
    condition     = !var.prevent_destroy || (!var.force_destroy && var.kms_deletion_window_in_days == 30)
    error_message = "prevent_destroy needs force_destroy = false and kms_deletion_window_in_days = 30."
  }
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
