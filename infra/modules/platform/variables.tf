# Inputs of one environment. Optional inputs are non-nullable, so an
# environment root may pass null to mean "the default here".

variable "environment" {
  description = "Environment name (for example \"dev\" or \"prod\"); resource names are \"<project>-<environment>-…\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters and digits, starting with a letter."
  }
}

variable "project" {
  description = "Project name, used as the prefix of resource names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

################################################################################
# Supplied per environment
################################################################################

variable "lake_bucket_name" {
  description = "Globally unique name of the lake bucket (for example \"acme-medallion-dev-lake\"). The access-log bucket is \"<name>-access-logs\", so keep it at most 51 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,49}[a-z0-9]$", var.lake_bucket_name)) && !strcontains(var.lake_bucket_name, "..")
    error_message = "lake_bucket_name must be DNS-safe (lowercase letters, digits, dots, hyphens) and 3-51 characters long, so that \"<name>-access-logs\" is a valid bucket name too."
  }
}

variable "vpc_id" {
  description = "VPC of the EMR Serverless workers."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like \"vpc-0123456789abcdef0\"."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the EMR Serverless workers (with NAT or VPC endpoints for S3, Glue, DynamoDB, KMS, Logs, STS)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) > 0 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids must list at least one subnet ID such as \"subnet-0123456789abcdef0\"."
  }
}

variable "analyst_principal_arns" {
  description = "IAM principals allowed to assume the analysts role."
  type        = list(string)

  validation {
    condition     = length(var.analyst_principal_arns) > 0
    error_message = "analyst_principal_arns must list at least one IAM principal ARN."
  }
}

variable "artifact_version" {
  description = "Git commit id of the published jobs jar and pipeline spec to run (7-40 lowercase hex characters). A deploy changes this."
  type        = string
}

variable "pipeline_spec" {
  description = "The pipeline spec (YAML text; the environment roots read pipelines/engagement/pipeline.yaml, the spec ci/publish.sh publishes). The Kafka topics are its sources' topics (sources.<name>.topic): the job role may describe, read and create exactly these, and the deploy's topics job creates them."
  type        = string

  validation {
    condition = (
      can(keys(yamldecode(var.pipeline_spec).sources)) &&
      try(length(yamldecode(var.pipeline_spec).sources) > 0, false) &&
      try(alltrue([for name, source in yamldecode(var.pipeline_spec).sources : can(regex("^[A-Za-z0-9._-]{1,249}$", source.topic))]), false)
    )
    error_message = "pipeline_spec must be a pipeline spec (YAML) with at least one source under sources, each with a topic: 1-249 letters, digits, \".\", \"_\" or \"-\" (the rule the CLI's spec loader applies)."
  }
}

################################################################################
# Sizing, retention and protection: a preset, each value overridable
################################################################################

variable "size" {
  description = "Sizing preset: \"small\" (dev: small capacity, short retention, no destroy protection) or \"large\" (prod: production capacity, long retention, deletion protection and a destroy guard on the KMS key and the buckets). The inputs below override single values of it."
  type        = string

  validation {
    condition     = contains(["small", "large"], var.size)
    error_message = "size must be \"small\" or \"large\"."
  }
}

variable "emr_maximum_capacity" {
  description = "Maximum capacity of the EMR Serverless application; attributes left out or null take the preset's."
  type = object({
    cpu    = optional(string)
    memory = optional(string)
    disk   = optional(string)
  })
  default = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days noncurrent object versions are kept in the lake bucket; null: the preset's."
  type        = number
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the log groups, in days; null: the preset's."
  type        = number
  default     = null
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Per-query scan limit of the Athena workgroups, in bytes; null: the preset's."
  type        = number
  default     = null
}

variable "deletion_protection" {
  description = "Protection of stateful resources: deletion protection on the Delta LogStore DynamoDB table, and a destroy guard on the project KMS key and the lake and access-log buckets (modules/lake_storage prevent_destroy); null: the preset's. Cannot be combined with force_destroy."
  type        = bool
  default     = null
}

variable "msk_broker_instance_type" {
  description = "MSK broker instance type; null: the preset's."
  type        = string
  default     = null
}

variable "msk_number_of_broker_nodes" {
  description = "Number of MSK brokers (at least 3, a multiple of the number of MSK subnets); null: the preset's."
  type        = number
  default     = null
}

variable "msk_ebs_volume_size_gb" {
  description = "EBS storage per MSK broker, in GiB; null: the preset's."
  type        = number
  default     = null
}

################################################################################
# Optional
################################################################################

variable "msk_subnet_ids" {
  description = "Private subnets of the MSK brokers, one per Availability Zone (2 or 3); empty: private_subnet_ids."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "msk_kafka_version" {
  description = "Kafka version of the MSK cluster."
  type        = string
  default     = "3.9.x"
  nullable    = false
}

# Kept so that a terraform.tfvars written when the topics were listed by hand
# (kafka_topics = ["plays", "impressions", "titles"]) still plans; the topics
# come from pipeline_spec, and a list that differs from the spec's is refused.
variable "kafka_topics" {
  description = "Deprecated: the topics are pipeline_spec's source topics. Null (the default), or exactly the spec's topics in any order; any other list is refused. Remove it from terraform.tfvars."
  type        = list(string)
  default     = null

  validation {
    condition     = var.kafka_topics == null || try(toset(var.kafka_topics) == toset(local.spec_topics), false)
    error_message = "kafka_topics differs from the pipeline spec's source topics. The topics (and the job role's topic permissions) come from the spec now: remove kafka_topics from terraform.tfvars, or change the spec (pipelines/engagement/pipeline.yaml, sources.<name>.topic)."
  }
}

variable "existing_kafka_bootstrap_brokers" {
  description = "SASL/IAM bootstrap brokers of an existing MSK cluster to use instead of creating one (with existing_kafka_cluster_arn, and kafka_cidr_blocks for the workers' egress)."
  type        = string
  default     = null
}

variable "existing_kafka_cluster_arn" {
  description = "ARN of the existing MSK cluster of existing_kafka_bootstrap_brokers."
  type        = string
  default     = null
}

variable "batch_schedule_expression" {
  description = "When the batch jobs (aggregate, maintain) run: rate(...) or cron(...)."
  type        = string
  default     = "rate(1 hour)"
  nullable    = false
}

variable "alarm_email_addresses" {
  description = "E-mail addresses notified when a batch execution fails."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kafka_cidr_blocks" {
  description = "CIDR blocks of the Kafka (MSK) brokers the jobs consume from; empty for none."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kms_key_administrator_arns" {
  description = "IAM roles or users that administer the project KMS key (besides the account root)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "ci_role_names" {
  description = "Existing IAM roles of the CI pipeline to attach the job-submitter policy to (publish artifacts, start job runs); empty to attach it yourself."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "emr_release_label" {
  description = "EMR Serverless release label: one that modules/emr_serverless knows and whose Spark and Delta minor versions are the build's (emr-spark-8.0.0: Spark 4.0.2, Delta 4.0.0); others are refused at plan time."
  type        = string
  default     = "emr-spark-8.0.0"
  nullable    = false
}

variable "glue_database_names" {
  description = "Glue database per layer, and of the platform's system tables (system: the event log and its neighbours); each attribute left out or null takes the default of modules/catalog_names (bronze, silver, gold, medallion_system). The catalog module creates them, and every job run gets them as --glue-database LAYER=NAME. Glue databases are per account and region: give each environment its own names if several share one account."
  type = object({
    bronze = optional(string)
    silver = optional(string)
    gold   = optional(string)
    system = optional(string)
  })
  default  = {}
  nullable = false
}

variable "operator_principal_arns" {
  description = "IAM principals allowed to assume the operators role, which queries only the system tables (the event log) in its own Athena workgroup; empty: no operators role."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "create_prometheus_workspace" {
  description = "Create an Amazon Managed Service for Prometheus workspace, encrypted with the project key, that the job runs remote-write their Spark metrics to; false: CloudWatch logs only (for example where the service is not offered)."
  type        = bool
  default     = true
  nullable    = false
}

variable "manage_glue_catalog_encryption" {
  description = "Manage the account/region-wide Glue Data Catalog encryption settings from this environment. Set to true in exactly one environment per account and region."
  type        = bool
  default     = true
  nullable    = false
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and the Athena workgroup's history. Not with deletion protection (the large preset)."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !(var.force_destroy && local.sizing.deletion_protection)
    error_message = "force_destroy cannot be true with deletion_protection (the default of the large preset): a protected environment's buckets are never force-destroyed."
  }
}
