# Inputs of every environment root (envs/<env>/variables.tf links here). The
# platform module (../../modules/platform/variables.tf) validates them and
# holds the defaults and the sizing presets; null here means "the platform
# module's default" or "the environment's preset".

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
  description = "Globally unique lake bucket name, at most 51 characters (for example \"acme-medallion-dev-lake\" for dev)."
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

variable "artifact_version" {
  description = "Git commit id of the published jobs jar and pipeline spec (ci/publish.sh) the jobs run; ci/deploy.sh passes it with -var."
  type        = string
}

variable "pipeline_spec_file" {
  description = "The pipeline spec the Kafka topics (and the job role's topic permissions) come from; default the repository's pipelines/engagement/pipeline.yaml, the spec ci/publish.sh publishes. Set it only when you publish another spec (ci/publish.sh --spec-dir)."
  type        = string
  default     = null
}

################################################################################
# Sizing, retention and protection: null means the environment's preset
# (local.size in environment.tf: dev "small", prod "large"; the values are in
# modules/platform/main.tf and infra/README.md)
################################################################################

variable "emr_maximum_capacity" {
  description = "Maximum capacity of the EMR Serverless application ({ cpu, memory, disk }); attributes left out keep the preset's (small: 16 vCPU / 64 GB / 200 GB, large: 128 vCPU / 512 GB / 2000 GB)."
  type = object({
    cpu    = optional(string)
    memory = optional(string)
    disk   = optional(string)
  })
  default = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days noncurrent object versions are kept in the lake bucket (small: 7, large: 30)."
  type        = number
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the log groups, in days (small: 30, large: 365)."
  type        = number
  default     = null
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Per-query scan limit of the Athena workgroups, in bytes (small: 10 GiB, large: 100 GiB)."
  type        = number
  default     = null
}

variable "deletion_protection" {
  description = "Deletion protection of the Delta LogStore table and a destroy guard on the KMS key and the buckets (small: false, large: true)."
  type        = bool
  default     = null
}

variable "msk_broker_instance_type" {
  description = "MSK broker instance type (small: kafka.t3.small, large: kafka.m7g.large)."
  type        = string
  default     = null
}

variable "msk_number_of_broker_nodes" {
  description = "Number of MSK brokers, a multiple of the number of subnets (both presets: 3, one per private subnet, replication factor 3)."
  type        = number
  default     = null
}

variable "msk_ebs_volume_size_gb" {
  description = "EBS storage per MSK broker, in GiB (small: 100, large: 1000)."
  type        = number
  default     = null
}

################################################################################
# Optional: null means the platform module's default
################################################################################

variable "msk_subnet_ids" {
  description = "Private subnets of the MSK brokers, one per Availability Zone; default private_subnet_ids."
  type        = list(string)
  default     = null
}

variable "msk_kafka_version" {
  description = "Kafka version of the MSK cluster; default 3.9.x."
  type        = string
  default     = null
}

variable "kafka_topics" {
  description = "Deprecated: the topics are the pipeline spec's (pipeline_spec_file). Left null, or exactly the spec's topics, it changes nothing; another list is refused. Remove it from terraform.tfvars."
  type        = list(string)
  default     = null
}

variable "existing_kafka_bootstrap_brokers" {
  description = "SASL/IAM bootstrap brokers of an existing MSK cluster to use instead of creating one; default none (create one)."
  type        = string
  default     = null
}

variable "existing_kafka_cluster_arn" {
  description = "ARN of that existing MSK cluster; default none."
  type        = string
  default     = null
}

variable "batch_schedule_expression" {
  description = "When the batch jobs run; default rate(1 hour)."
  type        = string
  default     = null
}

variable "alarm_email_addresses" {
  description = "E-mail addresses notified when a batch execution fails; default none."
  type        = list(string)
  default     = null
}

variable "kafka_cidr_blocks" {
  description = "CIDR blocks of the brokers of an existing Kafka cluster (the created one is reached through its security group); default none."
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
  description = "EMR Serverless release label; default emr-spark-8.0.0 (Spark 4.0.2, Delta 4.0.0). modules/emr_serverless refuses a label it does not know or whose Spark or Delta minor version differs from the build's."
  type        = string
  default     = null
}

variable "glue_database_names" {
  description = "Glue database per layer and of the system tables; default bronze, silver, gold, medallion_system."
  type = object({
    bronze = optional(string)
    silver = optional(string)
    gold   = optional(string)
    system = optional(string)
  })
  default = null
}

variable "operator_principal_arns" {
  description = "IAM principals allowed to assume the operators role (query the event log and the other system tables); default none (no operators role)."
  type        = list(string)
  default     = null
}

variable "create_prometheus_workspace" {
  description = "Create the Prometheus workspace the job runs send their Spark metrics to; default true."
  type        = bool
  default     = null
}

variable "manage_glue_catalog_encryption" {
  description = "Manage the account/region-wide Glue Data Catalog encryption from this environment; default true."
  type        = bool
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and the workgroup history; default false (and never with deletion_protection)."
  type        = bool
  default     = null
}
