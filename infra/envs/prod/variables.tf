# Inputs of the prod environment. The platform module
# (../../modules/platform/variables.tf) validates them and holds the defaults
# shared by all environments; the defaults set here are prod's own.

# aws_region is validated here: only the provider uses it.
variable "aws_region" {
  description = "AWS region of the environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as \"eu-west-1\"."
  }
}

variable "project" {
  description = "Project name, used as the prefix of resource names."
  type        = string
  default     = "medallion"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

################################################################################
# Required: supplied in terraform.tfvars
################################################################################

variable "lake_bucket_name" {
  description = "Globally unique lake bucket name, at most 51 characters (for example \"acme-medallion-prod-lake\")."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the EMR Serverless workers."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the EMR Serverless workers."
  type        = list(string)
}

variable "analyst_principal_arns" {
  description = "IAM principals allowed to assume the analysts role."
  type        = list(string)
}

################################################################################
# prod's sizing and retention (longer retention, bigger limits, deletion protection)
################################################################################

variable "emr_maximum_capacity" {
  description = "Maximum capacity of the EMR Serverless application."
  type = object({
    cpu    = optional(string, "128 vCPU")
    memory = optional(string, "512 GB")
    disk   = optional(string, "2000 GB")
  })
  default = {}
}

variable "noncurrent_version_expiration_days" {
  description = "Days noncurrent object versions are kept in the lake bucket."
  type        = number
  default     = 30
}

variable "log_retention_in_days" {
  description = "Retention of the job log group, in days."
  type        = number
  default     = 365
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Per-query scan limit of the analysts' Athena workgroup, in bytes."
  type        = number
  default     = 107374182400 # 100 GiB
}

variable "deletion_protection" {
  description = "Deletion protection on the Delta LogStore DynamoDB table."
  type        = bool
  default     = true
}

################################################################################
# Optional: null means the platform module's default
################################################################################

variable "kafka_cidr_blocks" {
  description = "CIDR blocks of the Kafka (MSK) brokers; default none."
  type        = list(string)
  default     = null
}

variable "kms_key_administrator_arns" {
  description = "Administrators of the project KMS key besides the account root; default none."
  type        = list(string)
  default     = null
}

variable "ci_role_names" {
  description = "CI roles to attach the job-submitter policy to; default none."
  type        = list(string)
  default     = null
}

variable "emr_release_label" {
  description = "EMR Serverless release label (emr-spark-8.x); default emr-spark-8.0.0."
  type        = string
  default     = null
}

variable "glue_database_names" {
  description = "Glue database per layer; default bronze, silver, gold."
  type = object({
    bronze = optional(string)
    silver = optional(string)
    gold   = optional(string)
  })
  default = null
}

variable "manage_glue_catalog_encryption" {
  description = "Manage the account/region-wide Glue Data Catalog encryption from this environment; default true."
  type        = bool
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and the workgroup history; default false."
  type        = bool
  default     = null
}
