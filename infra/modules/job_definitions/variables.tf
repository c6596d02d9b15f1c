variable "name" {
  description = "Prefix of the job run names (for example \"medallion-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens."
  }
}

variable "application_id" {
  description = "ID of the EMR Serverless application the jobs run on."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-z]{1,64}$", var.application_id))
    error_message = "application_id must be an EMR Serverless application ID (lowercase letters and digits)."
  }
}

variable "job_role_arn" {
  description = "ARN of the job runtime role (executionRoleArn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.job_role_arn))
    error_message = "job_role_arn must be an IAM role ARN."
  }
}

variable "lake_bucket_name" {
  description = "Lake bucket: holds the artifacts, and its root is the jobs' lake root (s3a://<bucket>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lake_bucket_name))
    error_message = "lake_bucket_name must be a valid S3 bucket name."
  }
}

variable "artifacts_prefix" {
  description = "Prefix of the lake bucket that ci/publish.sh uploads the jar and the pipeline spec under, one folder per artifact_version."
  type        = string
  default     = "artifacts/"

  validation {
    condition     = endswith(var.artifacts_prefix, "/") && !startswith(var.artifacts_prefix, "/") && length(var.artifacts_prefix) > 1
    error_message = "artifacts_prefix must end with \"/\", not start with \"/\", and not be empty."
  }
}

variable "artifact_version" {
  description = "Version of the published artifacts to run: the git commit id they were built from (7-40 lowercase hex characters). Changing it is a deploy."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{7,40}$", var.artifact_version))
    error_message = "artifact_version must be a git commit id: 7 to 40 lowercase hexadecimal characters (for example \"4e26c98\"), not a branch or tag name."
  }
}

variable "spark_conf" {
  description = "Spark properties passed with --conf to every job (for example the Delta LogStore settings), after the ones this module always sets (spark.jars with EMR's Delta jars, the metrics settings), which they may override."
  type        = map(string)
  default     = {}

  # sparkSubmitParameters is one space-separated string.
  validation {
    condition     = alltrue([for k, v in var.spark_conf : can(regex("^spark\\.[^\\s=]+$", k)) && can(regex("^\\S+$", v))])
    error_message = "spark_conf keys must start with \"spark.\", and neither keys nor values may contain whitespace (they are joined into sparkSubmitParameters)."
  }
}

variable "glue_databases" {
  description = "The Glue database of each layer the jobs register their tables in, by the jobs' layer names: bronze, silver, gold and _system (the catalog module's layer_databases). Every job run gets --catalog glue and --glue-database LAYER=NAME for each."
  type        = map(string)
  nullable    = false

  validation {
    condition     = sort(keys(var.glue_databases)) == sort(["bronze", "silver", "gold", "_system"])
    error_message = "glue_databases must name the Glue database of exactly the layers bronze, silver, gold and _system."
  }

  validation {
    condition     = alltrue([for d in values(var.glue_databases) : can(regex("^[a-z0-9_]{1,255}$", d))]) && length(distinct(values(var.glue_databases))) == length(var.glue_databases)
    error_message = "glue_databases must be four different Glue database names of lowercase letters, digits and underscores."
  }
}

variable "kafka_bootstrap_servers" {
  description = "SASL/IAM bootstrap brokers (host:9098,...) of the MSK cluster the streaming job reads. Null: the streaming job gets no Kafka arguments."
  type        = string
  default     = null
}

variable "log_group_name" {
  description = "CloudWatch log group the job runs log to."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the job runs' CloudWatch logs."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "prometheus_remote_write_url" {
  description = "Remote write URL of the Amazon Managed Service for Prometheus workspace the job runs send their Spark metrics to (monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl). Null: CloudWatch logging only."
  type        = string
  default     = null

  # The pattern EMR Serverless accepts (API PrometheusMonitoringConfiguration).
  validation {
    condition     = var.prometheus_remote_write_url == null || can(regex("^https://aps-workspaces\\.[a-z]{2}-[a-z-]{1,20}-[1-9]\\.amazonaws(\\.[0-9A-Za-z]{2,4})+/workspaces/[-_.0-9A-Za-z]{1,100}/api/v1/remote_write$", coalesce(var.prometheus_remote_write_url, "-")))
    error_message = "prometheus_remote_write_url must be an Amazon Managed Service for Prometheus remote write URL: https://aps-workspaces.<region>.amazonaws.com/workspaces/<workspace id>/api/v1/remote_write."
  }
}

variable "streaming_arguments" {
  description = "CLI command of the long-running ingest and refine job; the pipeline, lake root, catalog and Kafka arguments are appended."
  type        = list(string)
  default     = ["run"]
  nullable    = false

  validation {
    condition     = length(var.streaming_arguments) > 0
    error_message = "streaming_arguments must name a command."
  }
}

variable "streaming_max_failed_attempts_per_hour" {
  description = "EMR Serverless restarts a failed streaming job run from its checkpoint; it gives up after this many failures in an hour."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.streaming_max_failed_attempts_per_hour >= 1 && var.streaming_max_failed_attempts_per_hour <= 10 && floor(var.streaming_max_failed_attempts_per_hour) == var.streaming_max_failed_attempts_per_hour
    error_message = "streaming_max_failed_attempts_per_hour must be a whole number from 1 to 10."
  }
}

variable "topics_timeout_minutes" {
  description = "Time limit of the `topics --create` job run, in minutes (it starts a Spark driver, then makes a few Kafka admin calls)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.topics_timeout_minutes >= 5 && var.topics_timeout_minutes <= 120 && floor(var.topics_timeout_minutes) == var.topics_timeout_minutes
    error_message = "topics_timeout_minutes must be a whole number from 5 to 120: the topics job must not run forever."
  }
}

variable "batch_jobs" {
  description = "Batch jobs, in the order the state machine runs them: a name, the CLI command (the pipeline, lake root and catalog arguments are appended) and a time limit."
  type = list(object({
    name            = string
    arguments       = list(string)
    timeout_minutes = optional(number, 120)
  }))
  default = [
    { name = "aggregate", arguments = ["aggregate", "--once"] },
    { name = "maintain", arguments = ["maintain"] },
  ]
  nullable = false

  validation {
    condition     = length(var.batch_jobs) > 0 && length(distinct([for j in var.batch_jobs : j.name])) == length(var.batch_jobs)
    error_message = "batch_jobs must list at least one job, each with its own name."
  }

  validation {
    condition     = alltrue([for j in var.batch_jobs : can(regex("^[a-z][a-z0-9_]{0,31}$", j.name)) && length(j.arguments) > 0])
    error_message = "Every batch job needs a name of lowercase letters, digits and \"_\" (starting with a letter, at most 32 characters) and a command."
  }

  validation {
    condition     = alltrue([for j in var.batch_jobs : j.timeout_minutes >= 5 && j.timeout_minutes <= 1440 && floor(j.timeout_minutes) == j.timeout_minutes])
    error_message = "Every batch job's timeout_minutes must be a whole number from 5 to 1440; a batch job must not run forever."
  }
}

variable "tags" {
  description = "Tags of every job run."
  type        = map(string)
  default     = {}
  nullable    = false
}
