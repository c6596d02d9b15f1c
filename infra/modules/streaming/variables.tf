variable "name" {
  description = "Name of the MSK cluster; also the prefix of its configuration, security group and log group."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "name must be 3-48 characters of lowercase letters, digits and hyphens (for example \"medallion-dev\")."
  }
}

################################################################################
# Use an existing cluster instead
################################################################################

variable "existing_bootstrap_brokers" {
  description = "SASL/IAM bootstrap brokers (host:9098,...) of an existing MSK cluster to use instead of creating one. Null: create a cluster."
  type        = string
  default     = null

  validation {
    condition     = var.existing_bootstrap_brokers == null || can(regex("^[A-Za-z0-9.-]+:[0-9]+(,[A-Za-z0-9.-]+:[0-9]+)*$", coalesce(var.existing_bootstrap_brokers, "x")))
    error_message = "existing_bootstrap_brokers must be a comma-separated list of host:port (the cluster's SASL/IAM bootstrap brokers)."
  }
}

variable "existing_cluster_arn" {
  description = "ARN of the existing MSK cluster behind existing_bootstrap_brokers; the job role's Kafka permissions are scoped to it. Required exactly when existing_bootstrap_brokers is set."
  type        = string
  default     = null

  validation {
    condition     = (var.existing_cluster_arn == null) == (var.existing_bootstrap_brokers == null)
    error_message = "Set existing_cluster_arn together with existing_bootstrap_brokers (the IAM permissions need the cluster ARN), or neither to create a cluster."
  }

  validation {
    condition     = var.existing_cluster_arn == null || can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9-]+/[A-Za-z0-9-]+$", coalesce(var.existing_cluster_arn, "x")))
    error_message = "existing_cluster_arn must be an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)."
  }
}

################################################################################
# Cluster (ignored with an existing cluster)
################################################################################

variable "vpc_id" {
  description = "VPC of the brokers' security group. Not used with an existing cluster."
  type        = string
  default     = null

  validation {
    condition     = var.existing_bootstrap_brokers != null || can(regex("^vpc-[0-9a-f]+$", coalesce(var.vpc_id, "x")))
    error_message = "vpc_id must look like \"vpc-0123456789abcdef0\"."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the brokers, one per Availability Zone (2 or 3). Not used with an existing cluster."
  type        = list(string)
  default     = []

  validation {
    condition     = var.existing_bootstrap_brokers != null || (length(var.subnet_ids) >= 2 && length(var.subnet_ids) <= 3 && length(distinct(var.subnet_ids)) == length(var.subnet_ids))
    error_message = "subnet_ids must list 2 or 3 distinct subnets, one per Availability Zone (MSK spreads the brokers across them)."
  }

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "Every entry of subnet_ids must look like \"subnet-0123456789abcdef0\"."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the clients (the EMR Serverless workers); the only sources the brokers accept connections from, on 9098 (IAM over TLS). Not used with an existing cluster."
  type        = list(string)
  default     = []

  validation {
    condition     = (var.existing_bootstrap_brokers != null || length(var.client_security_group_ids) > 0) && alltrue([for s in var.client_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "client_security_group_ids must list at least one security group ID such as \"sg-0123456789abcdef0\"."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of the cluster as MSK names it (for example \"3.9.x\", \"3.6.0\" or \"3.7.x.kraft\")."
  type        = string
  default     = "3.9.x"

  validation {
    condition     = can(regex("^([3-9]|[1-9][0-9])\\.[0-9]+\\.([0-9]+|x)(\\.kraft)?$", var.kafka_version))
    error_message = "kafka_version must be an MSK Kafka version of 3.x or later: <major>.<minor>.<patch or x>, optionally with \".kraft\" (for example \"3.9.x\")."
  }
}

variable "broker_instance_type" {
  description = "Broker instance type (for example \"kafka.m7g.large\", or \"kafka.t3.small\" for development)."
  type        = string
  default     = "kafka.m7g.large"

  validation {
    condition     = can(regex("^kafka\\.[a-z0-9]+\\.[a-z0-9]+$", var.broker_instance_type))
    error_message = "broker_instance_type must be an MSK broker type starting with \"kafka.\" (for example \"kafka.m7g.large\")."
  }
}

variable "number_of_broker_nodes" {
  description = "Number of brokers: at least 3 (topics are replicated 3 times) and a multiple of the number of subnets."
  type        = number
  default     = 3

  validation {
    condition     = var.number_of_broker_nodes >= 3 && floor(var.number_of_broker_nodes) == var.number_of_broker_nodes
    error_message = "number_of_broker_nodes must be a whole number of at least 3: default.replication.factor is 3."
  }

  validation {
    condition     = var.existing_bootstrap_brokers != null || var.number_of_broker_nodes % length(var.subnet_ids) == 0
    error_message = "number_of_broker_nodes must be a multiple of the number of subnets (MSK places the same number of brokers in each Availability Zone)."
  }
}

variable "ebs_volume_size_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.ebs_volume_size_gb >= 1 && var.ebs_volume_size_gb <= 16384 && floor(var.ebs_volume_size_gb) == var.ebs_volume_size_gb
    error_message = "ebs_volume_size_gb must be a whole number from 1 to 16384."
  }
}

variable "log_retention_hours" {
  description = "How long the brokers keep records (log.retention.hours). The streaming job must catch up within this time, or it stops with a data-loss error."
  type        = number
  default     = 168

  validation {
    condition     = var.log_retention_hours >= 24 && floor(var.log_retention_hours) == var.log_retention_hours
    error_message = "log_retention_hours must be a whole number of at least 24."
  }
}

variable "kms_key_arn" {
  description = "Project KMS key: encrypts the brokers' storage and their log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the broker log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653), never 0 (keep forever)."
  }
}

################################################################################
# What the jobs may use
################################################################################

variable "topic_names" {
  description = "Topics of the pipeline (platform passes the pipeline spec's source topics); the job role may describe, read and create these only. No default: the topics come from the spec, never from a list kept here."
  type        = list(string)

  validation {
    condition     = length(var.topic_names) > 0 && alltrue([for t in var.topic_names : can(regex("^[A-Za-z0-9._-]{1,249}$", t))])
    error_message = "topic_names must list at least one Kafka topic name (letters, digits, \".\", \"_\", \"-\"; no wildcards)."
  }
}

variable "consumer_group_patterns" {
  description = "Consumer groups the jobs may join, as IAM resource name patterns. Spark's Kafka source names its groups spark-kafka-source-<uuid>-...."
  type        = list(string)
  default     = ["spark-kafka-source-*"]

  validation {
    condition     = length(var.consumer_group_patterns) > 0 && alltrue([for g in var.consumer_group_patterns : can(regex("^[A-Za-z0-9._-]+\\*?$", g))])
    error_message = "consumer_group_patterns must list group names or prefixes ending in \"*\" (for example \"spark-kafka-source-*\"); a bare \"*\" is not accepted."
  }
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
