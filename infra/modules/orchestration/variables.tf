variable "name" {
  description = "Prefix of the state machine, schedule, alarm, topic, roles and log group (for example \"medallion-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens."
  }
}

################################################################################
# The jobs (passed on to ../job_definitions, which validates them)
################################################################################

variable "application_id" {
  description = "ID of the EMR Serverless application."
  type        = string
}

variable "application_arn" {
  description = "ARN of the EMR Serverless application; the state machine may start job runs on it only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:emr-serverless:[a-z0-9-]+:[0-9]{12}:/applications/[A-Za-z0-9]+$", var.application_arn))
    error_message = "application_arn must be an EMR Serverless application ARN (arn:aws:emr-serverless:<region>:<account>:/applications/<id>)."
  }
}

variable "job_role_arn" {
  description = "ARN of the job runtime role; the only role the state machine may pass, and only to EMR Serverless."
  type        = string
}

variable "lake_bucket_name" {
  description = "Lake bucket (artifacts and lake root)."
  type        = string
}

variable "artifacts_prefix" {
  description = "Prefix of the published artifacts in the lake bucket."
  type        = string
  default     = "artifacts/"
}

variable "artifact_version" {
  description = "Git commit id of the jar and pipeline spec the jobs run (7-40 lowercase hex characters)."
  type        = string
}

variable "spark_conf" {
  description = "Spark properties for every job (--conf)."
  type        = map(string)
  default     = {}
}

variable "kafka_bootstrap_servers" {
  description = "SASL/IAM bootstrap brokers of the MSK cluster the streaming job reads; null for none."
  type        = string
  default     = null
}

variable "glue_databases" {
  description = "The Glue database of each layer (bronze, silver, gold, _system) the jobs register their tables in: every job run gets --catalog glue and --glue-database LAYER=NAME (see ../job_definitions). modules/platform passes the catalog module's layer_databases."
  type        = map(string)
  nullable    = false
}

variable "job_log_group_name" {
  description = "CloudWatch log group of the job runs."
  type        = string
}

variable "kms_key_arn" {
  description = "Project KMS key: encrypts the job and state machine logs and the alarm topic."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "prometheus_remote_write_url" {
  description = "Remote write URL of the Prometheus workspace the job runs send their Spark metrics to (see ../job_definitions); null: CloudWatch logging only."
  type        = string
  default     = null
}

variable "batch_jobs" {
  description = "Batch jobs in run order (see ../job_definitions); null: aggregate --once, then maintain."
  type = list(object({
    name            = string
    arguments       = list(string)
    timeout_minutes = optional(number, 120)
  }))
  default = null
}

variable "streaming_max_failed_attempts_per_hour" {
  description = "Failures per hour after which EMR Serverless stops restarting the streaming job; null: the job_definitions default."
  type        = number
  default     = null
}

################################################################################
# Schedule, retries, alarm
################################################################################

variable "batch_schedule_expression" {
  description = "When EventBridge Scheduler starts the batch state machine: rate(...) or cron(...). Keep the interval longer than a batch run."
  type        = string
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(\\S+( \\S+){5}\\))$", var.batch_schedule_expression))
    error_message = "batch_schedule_expression must be rate(<n> <minutes|hours|days>) or cron(<6 fields>), for example \"rate(1 hour)\" or \"cron(15 * * * ? *)\"."
  }
}

variable "batch_schedule_timezone" {
  description = "Time zone of a cron batch_schedule_expression."
  type        = string
  default     = "UTC"
}

variable "batch_schedule_enabled" {
  description = "Whether the schedule starts the batch state machine (false pauses it)."
  type        = bool
  default     = true
}

variable "batch_retry_max_attempts" {
  description = "Retries of a failed batch job before the execution fails (the jobs are idempotent, so a retry is safe)."
  type        = number
  default     = 2

  validation {
    condition     = var.batch_retry_max_attempts >= 0 && var.batch_retry_max_attempts <= 5 && floor(var.batch_retry_max_attempts) == var.batch_retry_max_attempts
    error_message = "batch_retry_max_attempts must be a whole number from 0 to 5."
  }
}

variable "alarm_email_addresses" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription). Empty: subscribe yourself."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", a))])
    error_message = "alarm_email_addresses must contain e-mail addresses."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the state machine log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653), never 0 (keep forever)."
  }
}

variable "tags" {
  description = "Tags added to every resource of this module and to the job runs."
  type        = map(string)
  default     = {}
}
