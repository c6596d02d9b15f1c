variable "name" {
  description = "Name of the EMR Serverless application; also the prefix of the job role, security group, log group and DynamoDB table names."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens (for example \"medallion-dev\")."
  }
}

variable "release_label" {
  description = "EMR release label. It must be one of local.releases (releases.tf) whose Spark and Delta minor versions are the build's (local.build, pom.xml): emr-spark-8.0.0 (Spark 4.0.2, Delta 4.0.0)."
  type        = string
  default     = "emr-spark-8.0.0"

  validation {
    condition     = startswith(var.release_label, "emr-spark-8")
    error_message = "release_label must start with \"emr-spark-8\" (Spark 4 / Delta 4), for example \"emr-spark-8.0.0\"; emr-7.x releases ship Spark 3 and cannot run the Medallion jar."
  }

  # The references to local.releases and local.build need Terraform >= 1.9.
  validation {
    condition     = contains(keys(local.releases), var.release_label)
    error_message = "release_label \"${var.release_label}\" is not a release this module knows (it knows ${join(", ", sort(keys(local.releases)))}; the build runs on ${join(", ", local.supported_release_labels)}), so it cannot tell whether its Spark and Delta are the build's. Use ${join(" or ", local.supported_release_labels)}, or add the label with the Spark and Delta versions of its release notes to local.releases in infra/modules/emr_serverless/releases.tf."
  }

  validation {
    condition     = !contains(keys(local.releases), var.release_label) || contains(local.supported_release_labels, var.release_label)
    error_message = "release_label \"${var.release_label}\" ships Spark ${try(local.releases[var.release_label].spark, "?")} and Delta ${try(local.releases[var.release_label].delta, "?")}, but Medallion is built for Spark ${local.build.spark} and Delta ${local.build.delta} (spark.version and delta.version in pom.xml); a different Spark or Delta minor version cannot run the jar. Use ${length(local.supported_release_labels) > 0 ? join(" or ", local.supported_release_labels) : "a release with Spark ${local.build.spark} and Delta ${local.build.delta}"}, or build Medallion for Spark ${try(join(".", slice(split(".", local.releases[var.release_label].spark), 0, 2)), "?")} and Delta ${try(join(".", slice(split(".", local.releases[var.release_label].delta), 0, 2)), "?")} (pom.xml, then local.build in infra/modules/emr_serverless/releases.tf)."
  }
}

variable "architecture" {
  description = "CPU architecture of the workers: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.architecture)
    error_message = "architecture must be \"X86_64\" or \"ARM64\"."
  }
}

variable "maximum_capacity" {
  description = "Upper bound on the resources all running jobs of the application may use together."
  type = object({
    cpu    = optional(string, "64 vCPU")
    memory = optional(string, "256 GB")
    disk   = optional(string, "1000 GB")
  })
  default = {}
}

variable "idle_timeout_minutes" {
  description = "Minutes without jobs after which the application stops (and stops billing pre-initialised capacity)."
  type        = number
  default     = 15

  validation {
    condition     = var.idle_timeout_minutes >= 1 && var.idle_timeout_minutes <= 10080
    error_message = "idle_timeout_minutes must be between 1 and 10080."
  }
}

variable "vpc_id" {
  description = "ID of the VPC holding the private subnets."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like \"vpc-0123456789abcdef0\"."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs the Spark workers run in (at least one; two or more in different AZs recommended). Subnets need a route to S3, Glue, DynamoDB, KMS and CloudWatch Logs (NAT or VPC endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must contain at least one private subnet ID."
  }

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "Every entry of subnet_ids must look like \"subnet-0123456789abcdef0\"."
  }
}

variable "create_security_group" {
  description = "Create an egress-only security group for the workers (no ingress rules at all)."
  type        = bool
  default     = true
}

variable "security_group_ids" {
  description = "Additional security group IDs for the workers. Must be non-empty when create_security_group is false."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "Every entry of security_group_ids must look like \"sg-0123456789abcdef0\"."
  }

  validation {
    condition     = var.create_security_group || length(var.security_group_ids) > 0
    error_message = "security_group_ids must not be empty when create_security_group is false: the workers need at least one security group."
  }
}

variable "kafka_cidr_blocks" {
  description = "CIDR blocks of the MSK brokers; the created security group allows egress to them on 9098 (IAM auth over TLS). Empty: no Kafka egress."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.kafka_cidr_blocks : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "kafka_cidr_blocks must be valid CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "kafka_security_group_ids" {
  description = "Security groups of MSK brokers; the created security group allows egress to them on 9098 (IAM auth over TLS). Empty: none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.kafka_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "Every entry of kafka_security_group_ids must look like \"sg-0123456789abcdef0\"."
  }
}

variable "kafka_access" {
  description = "MSK cluster the jobs read with IAM auth: the cluster ARN and the topic and consumer-group ARNs (outputs of the streaming module) the job role may use (topics: describe, read, create). Null: no Kafka permissions."
  type = object({
    cluster_arn = string
    topic_arns  = list(string)
    group_arns  = list(string)
  })
  default = null

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[^*]+$", try(var.kafka_access.cluster_arn, "arn:aws:kafka:r:000000000000:cluster/none")))
    error_message = "kafka_access.cluster_arn must be an MSK cluster ARN without wildcards."
  }

  # Topic and group permissions stay inside the cluster: no ARN of another
  # cluster, and no wildcard topic.
  validation {
    condition = alltrue(concat(
      [for t in try(var.kafka_access.topic_arns, []) : startswith(t, "${replace(var.kafka_access.cluster_arn, ":cluster/", ":topic/")}/") && !strcontains(t, "*")],
      [for g in try(var.kafka_access.group_arns, []) : startswith(g, "${replace(var.kafka_access.cluster_arn, ":cluster/", ":group/")}/") && !endswith(g, "/*")],
      [length(try(var.kafka_access.topic_arns, [])) > 0 || var.kafka_access == null],
    ))
    error_message = "kafka_access.topic_arns must name topics (no wildcards) of kafka_access.cluster_arn, at least one; group_arns must be groups or group prefixes of that cluster, not all of its groups."
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

variable "read_write_prefixes" {
  description = "Lake bucket prefixes the jobs read and write: the layers, the streaming checkpoints and the platform's system tables (event log, reconciliation, expectation results)."
  type        = list(string)
  default     = ["bronze/", "silver/", "gold/", "_checkpoints/", "_system/"]

  validation {
    condition     = length(var.read_write_prefixes) > 0 && alltrue([for p in var.read_write_prefixes : endswith(p, "/") && !startswith(p, "/") && length(p) > 1])
    error_message = "read_write_prefixes must be non-empty, and each prefix must end with \"/\" and not start with \"/\" (an empty prefix would grant the whole bucket)."
  }
}

variable "read_only_prefixes" {
  description = "Lake bucket prefixes the jobs only read: the job jar and pipeline specs published by CI."
  type        = list(string)
  default     = ["artifacts/"]

  validation {
    condition     = alltrue([for p in var.read_only_prefixes : endswith(p, "/") && !startswith(p, "/") && length(p) > 1])
    error_message = "Each read_only_prefixes entry must end with \"/\" and not start with \"/\"."
  }
}

variable "kms_key_arn" {
  description = "ARN of the project KMS key (output kms_key_arn of the lake_storage module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as \"arn:aws:kms:eu-west-1:123456789012:key/<id>\"."
  }
}

variable "glue_database_names" {
  description = "Glue databases the jobs register their tables in: the three layers' and the system tables' (modules/platform passes the catalog module's layer_databases). No default: a caller names every database the jobs write."
  type        = list(string)

  validation {
    condition     = length(var.glue_database_names) > 0 && length(distinct(var.glue_database_names)) == length(var.glue_database_names) && alltrue([for d in var.glue_database_names : can(regex("^[a-z0-9_]{1,255}$", d))])
    error_message = "glue_database_names must be distinct, non-empty lowercase names of letters, digits and underscores."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the job log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (never 0, which means keep forever)."
  }
}

variable "create_prometheus_workspace" {
  description = "Create an Amazon Managed Service for Prometheus workspace (encrypted with kms_key_arn) for the job runs' Spark metrics, and let the job role remote-write to it. False (for example in a region without the service): no workspace and no aps permission; the job runs still log to CloudWatch."
  type        = bool
  default     = true
  nullable    = false
}

variable "dynamodb_deletion_protection" {
  description = "Protect the Delta LogStore DynamoDB table against deletion. Losing it while writers run can corrupt Delta commits."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
