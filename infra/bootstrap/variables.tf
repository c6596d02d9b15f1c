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
