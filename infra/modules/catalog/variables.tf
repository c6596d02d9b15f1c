variable "name" {
  description = "Name prefix for the Athena workgroup and the analysts role (for example \"medallion-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens."
  }
}

variable "lake_bucket_name" {
  description = "Name of the lake bucket (output bucket_name of the lake_storage module)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lake_bucket_name))
    error_message = "lake_bucket_name must be a valid S3 bucket name."
  }
}

variable "kms_key_arn" {
  description = "ARN of the project KMS key: encrypts the Glue Data Catalog and Athena query results."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as \"arn:aws:kms:eu-west-1:123456789012:key/<id>\"."
  }
}

variable "database_names" {
  description = "Glue database names of the three layers and of the platform's system tables (system); an attribute left out or null takes the default of ../catalog_names (bronze, silver, gold, medallion_system). Change them only if several environments share one account and region."
  type = object({
    bronze = optional(string)
    silver = optional(string)
    gold   = optional(string)
    system = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for d in values(var.database_names) : d == null || can(regex("^[a-z0-9_]{1,255}$", coalesce(d, "-")))])
    error_message = "Database names must be lowercase letters, digits and underscores (Athena does not accept hyphens)."
  }
}

variable "prefixes" {
  description = "Lake bucket prefixes (output prefixes of the lake_storage module). Only bronze, silver, gold, system, athena_results and operators_athena_results are used."
  type = object({
    bronze                   = optional(string, "bronze/")
    silver                   = optional(string, "silver/")
    gold                     = optional(string, "gold/")
    system                   = optional(string, "_system/")
    athena_results           = optional(string, "athena-results/")
    operators_athena_results = optional(string, "athena-results-operators/")
  })
  default = {}

  validation {
    condition     = alltrue([for p in values(var.prefixes) : endswith(p, "/") && !startswith(p, "/") && length(p) > 1])
    error_message = "Every prefix must end with \"/\" and not start with \"/\"."
  }

  # Analysts may read everything under athena_results: the operators' results
  # (rows of the system tables) must not land there, nor the reverse.
  validation {
    condition     = !startswith(var.prefixes.operators_athena_results, var.prefixes.athena_results) && !startswith(var.prefixes.athena_results, var.prefixes.operators_athena_results)
    error_message = "operators_athena_results and athena_results must not contain one another: analysts may read all of athena_results."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels any query of the workgroup that scans more than this many bytes. Minimum 10 MB (10485760), Athena's lower limit."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760 && floor(var.bytes_scanned_cutoff_per_query) == var.bytes_scanned_cutoff_per_query
    error_message = "bytes_scanned_cutoff_per_query must be a whole number of bytes >= 10485760 (10 MB), the smallest limit Athena accepts."
  }
}

variable "analyst_principal_arns" {
  description = "IAM principal ARNs (roles, users, or account roots of a trusted account) allowed to assume the analysts role."
  type        = list(string)

  validation {
    condition     = length(var.analyst_principal_arns) > 0 && alltrue([for a in var.analyst_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", a))])
    error_message = "analyst_principal_arns must list at least one IAM principal ARN such as \"arn:aws:iam::123456789012:role/analysts-sso\"; \"*\" is not accepted."
  }
}

variable "operator_principal_arns" {
  description = "IAM principal ARNs (roles, users, or account roots of a trusted account) allowed to assume the operators role, which reads only the system database (the event log and the other platform tables) in its own Athena workgroup. Empty: no operators role and no operators workgroup."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.operator_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", a))])
    error_message = "operator_principal_arns must be IAM principal ARNs such as \"arn:aws:iam::123456789012:role/platform-oncall\"; \"*\" is not accepted."
  }
}

variable "manage_catalog_encryption" {
  description = "Manage the Glue Data Catalog encryption settings. They are a single per-account, per-region setting: enable this in exactly one environment per account and region."
  type        = bool
  default     = true
}

variable "force_destroy_workgroup" {
  description = "Allow terraform destroy to delete the Athena workgroup together with its saved queries and history."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
