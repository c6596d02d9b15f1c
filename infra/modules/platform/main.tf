# One Medallion environment: lake storage, EMR Serverless compute, Kafka
# (MSK), the catalog/Athena layer, the batch orchestration and the CI
# job-submitter policy, wired together. envs/<env> call this module with their
# own values.

locals {
  name = "${var.project}-${var.environment}"

  msk_subnet_ids = length(var.msk_subnet_ids) > 0 ? var.msk_subnet_ids : var.private_subnet_ids

  # The Kafka topics: the pipeline spec's source topics (sources.<name>.topic),
  # sorted, each once. The streaming module turns them into the topic ARNs of
  # the job role's Kafka permissions (describe, read, create); nothing else
  # lists topics.
  spec_topics = sort(distinct([for name, source in yamldecode(var.pipeline_spec).sources : source.topic]))

  # The sizing presets: dev uses "small", prod "large" (envs/<env>/environment.tf).
  # Every value can be overridden by the input of the same name.
  presets = {
    small = {
      emr_maximum_capacity                  = { cpu = "16 vCPU", memory = "64 GB", disk = "200 GB" }
      noncurrent_version_expiration_days    = 7
      log_retention_in_days                 = 30
      athena_bytes_scanned_cutoff_per_query = 10737418240 # 10 GiB
      deletion_protection                   = false
      msk_broker_instance_type              = "kafka.t3.small"
      msk_number_of_broker_nodes            = 3
      msk_ebs_volume_size_gb                = 100
    }
    large = {
      emr_maximum_capacity                  = { cpu = "128 vCPU", memory = "512 GB", disk = "2000 GB" }
      noncurrent_version_expiration_days    = 30
      log_retention_in_days                 = 365
      athena_bytes_scanned_cutoff_per_query = 107374182400 # 100 GiB
      deletion_protection                   = true
      msk_broker_instance_type              = "kafka.m7g.large"
      msk_number_of_broker_nodes            = 3
      msk_ebs_volume_size_gb                = 1000
    }
  }
  preset = local.presets[var.size]

  sizing = {
    emr_maximum_capacity = {
      cpu    = coalesce(try(var.emr_maximum_capacity.cpu, null), local.preset.emr_maximum_capacity.cpu)
      memory = coalesce(try(var.emr_maximum_capacity.memory, null), local.preset.emr_maximum_capacity.memory)
      disk   = coalesce(try(var.emr_maximum_capacity.disk, null), local.preset.emr_maximum_capacity.disk)
    }
    noncurrent_version_expiration_days    = coalesce(var.noncurrent_version_expiration_days, local.preset.noncurrent_version_expiration_days)
    log_retention_in_days                 = coalesce(var.log_retention_in_days, local.preset.log_retention_in_days)
    athena_bytes_scanned_cutoff_per_query = coalesce(var.athena_bytes_scanned_cutoff_per_query, local.preset.athena_bytes_scanned_cutoff_per_query)
    deletion_protection                   = var.deletion_protection == null ? local.preset.deletion_protection : var.deletion_protection
    msk_broker_instance_type              = coalesce(var.msk_broker_instance_type, local.preset.msk_broker_instance_type)
    msk_number_of_broker_nodes            = coalesce(var.msk_number_of_broker_nodes, local.preset.msk_number_of_broker_nodes)
    msk_ebs_volume_size_gb                = coalesce(var.msk_ebs_volume_size_gb, local.preset.msk_ebs_volume_size_gb)
  }
}

module "lake_storage" {
  source = "../lake_storage"

  bucket_name                        = var.lake_bucket_name
  noncurrent_version_expiration_days = local.sizing.noncurrent_version_expiration_days
  kms_key_administrator_arns         = var.kms_key_administrator_arns
  force_destroy                      = var.force_destroy

  # A protected environment's key and buckets cannot be destroyed or
  # replaced by a plan (a prevent_destroy guard); its key keeps the maximum
  # deletion window (the module's default, 30 days).
  prevent_destroy = local.sizing.deletion_protection
}

module "emr_serverless" {
  source = "../emr_serverless"

  name                         = local.name
  release_label                = var.emr_release_label
  vpc_id                       = var.vpc_id
  subnet_ids                   = var.private_subnet_ids
  kafka_cidr_blocks            = var.kafka_cidr_blocks
  maximum_capacity             = local.sizing.emr_maximum_capacity
  lake_bucket_name             = module.lake_storage.bucket_name
  kms_key_arn                  = module.lake_storage.kms_key_arn
  log_retention_in_days        = local.sizing.log_retention_in_days
  dynamodb_deletion_protection = local.sizing.deletion_protection

  # The jobs write the layers, their checkpoints and the system tables (event
  # log, reconciliation, expectation results).
  read_write_prefixes = [
    module.lake_storage.prefixes.bronze,
    module.lake_storage.prefixes.silver,
    module.lake_storage.prefixes.gold,
    module.lake_storage.prefixes.checkpoints,
    module.lake_storage.prefixes.system,
  ]
  read_only_prefixes = [module.lake_storage.prefixes.artifacts]

  # The jobs register every table in Glue themselves, the system tables
  # included: the job role may register tables in the four databases the
  # catalog module creates (bronze, silver, gold and the system database),
  # named as the job runs name them (--glue-database).
  glue_database_names = values(module.catalog.layer_databases)

  # Spark metrics of the job runs go to a Prometheus workspace the job role
  # may only remote-write to.
  create_prometheus_workspace = var.create_prometheus_workspace

  # The workers reach the brokers through the brokers' security group (or
  # kafka_cidr_blocks for an existing cluster), and the job role may read and
  # create the pipeline spec's topics of that one cluster.
  kafka_security_group_ids = module.streaming.security_group_ids
  kafka_access = {
    cluster_arn = module.streaming.cluster_arn
    topic_arns  = module.streaming.topic_arns
    group_arns  = module.streaming.group_arns
  }
}

module "streaming" {
  source = "../streaming"

  name                       = local.name
  existing_bootstrap_brokers = var.existing_kafka_bootstrap_brokers
  existing_cluster_arn       = var.existing_kafka_cluster_arn

  vpc_id                    = var.vpc_id
  subnet_ids                = local.msk_subnet_ids
  client_security_group_ids = module.emr_serverless.security_group_ids
  kafka_version             = var.msk_kafka_version
  broker_instance_type      = local.sizing.msk_broker_instance_type
  number_of_broker_nodes    = local.sizing.msk_number_of_broker_nodes
  ebs_volume_size_gb        = local.sizing.msk_ebs_volume_size_gb
  kms_key_arn               = module.lake_storage.kms_key_arn
  log_retention_in_days     = local.sizing.log_retention_in_days
  topic_names               = local.spec_topics
}

module "orchestration" {
  source = "../orchestration"

  name             = local.name
  application_id   = module.emr_serverless.application_id
  application_arn  = module.emr_serverless.application_arn
  job_role_arn     = module.emr_serverless.job_role_arn
  lake_bucket_name = module.lake_storage.bucket_name
  artifacts_prefix = module.lake_storage.prefixes.artifacts
  artifact_version = var.artifact_version
  spark_conf       = module.emr_serverless.spark_conf

  kafka_bootstrap_servers = module.streaming.bootstrap_brokers

  # Every job run registers its tables in the databases the catalog module
  # creates: --catalog glue --glue-database LAYER=NAME, one naming for the
  # databases and the jobs.
  glue_databases = module.catalog.layer_databases

  job_log_group_name          = module.emr_serverless.log_group_name
  prometheus_remote_write_url = module.emr_serverless.prometheus_remote_write_url
  kms_key_arn                 = module.lake_storage.kms_key_arn
  batch_schedule_expression   = var.batch_schedule_expression
  alarm_email_addresses       = var.alarm_email_addresses
  log_retention_in_days       = local.sizing.log_retention_in_days
}

module "catalog" {
  source = "../catalog"

  name                           = local.name
  lake_bucket_name               = module.lake_storage.bucket_name
  kms_key_arn                    = module.lake_storage.kms_key_arn
  database_names                 = var.glue_database_names
  bytes_scanned_cutoff_per_query = local.sizing.athena_bytes_scanned_cutoff_per_query
  analyst_principal_arns         = var.analyst_principal_arns
  operator_principal_arns        = var.operator_principal_arns
  manage_catalog_encryption      = var.manage_glue_catalog_encryption
  force_destroy_workgroup        = var.force_destroy

  prefixes = {
    bronze                   = module.lake_storage.prefixes.bronze
    silver                   = module.lake_storage.prefixes.silver
    gold                     = module.lake_storage.prefixes.gold
    system                   = module.lake_storage.prefixes.system
    athena_results           = module.lake_storage.prefixes.athena_results
    operators_athena_results = module.lake_storage.prefixes.operators_athena_results
  }
}

module "job_submitter" {
  source = "../job_submitter"

  name                 = local.name
  lake_bucket_name     = module.lake_storage.bucket_name
  artifacts_prefix     = module.lake_storage.prefixes.artifacts
  kms_key_arn          = module.lake_storage.kms_key_arn
  application_arn      = module.emr_serverless.application_arn
  job_role_arn         = module.emr_serverless.job_role_arn
  state_machine_arn    = module.orchestration.state_machine_arn
  attach_to_role_names = var.ci_role_names
}
