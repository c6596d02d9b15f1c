# The root module of every environment: envs/dev/main.tf and envs/prod/main.tf
# are links to this file, and so are the other .tf files of the environment
# roots, except environment.tf, which names the environment and its sizing
# preset (local.environment, local.size). Everything else is shared: the
# wiring of the modules, the validation of the inputs and the presets are in
# modules/platform.

locals {
  # The spec the jobs run: ci/publish.sh publishes pipelines/engagement/ (ci/lib.sh,
  # DEFAULT_SPEC_DIR) of the same commit. path.root is envs/<env>, in the
  # checkout and in the copy of infra/ that infra/test.sh and ci/ run
  # Terraform in (infra/lib.sh copies pipelines/ next to it).
  pipeline_spec_file = coalesce(var.pipeline_spec_file, "${path.root}/../../../pipelines/engagement/pipeline.yaml")
}

module "platform" {
  source = "../../modules/platform"

  environment = local.environment
  size        = local.size
  project     = var.project

  lake_bucket_name       = var.lake_bucket_name
  vpc_id                 = var.vpc_id
  private_subnet_ids     = var.private_subnet_ids
  analyst_principal_arns = var.analyst_principal_arns
  artifact_version       = var.artifact_version

  # The Kafka topics and the job role's topic permissions: the spec's sources.
  pipeline_spec = file(local.pipeline_spec_file)

  # Sizing, retention and protection: the preset of local.size; each input
  # left null keeps the preset's value.
  emr_maximum_capacity                  = var.emr_maximum_capacity
  noncurrent_version_expiration_days    = var.noncurrent_version_expiration_days
  log_retention_in_days                 = var.log_retention_in_days
  athena_bytes_scanned_cutoff_per_query = var.athena_bytes_scanned_cutoff_per_query
  deletion_protection                   = var.deletion_protection
  msk_broker_instance_type              = var.msk_broker_instance_type
  msk_number_of_broker_nodes            = var.msk_number_of_broker_nodes
  msk_ebs_volume_size_gb                = var.msk_ebs_volume_size_gb

  # Optional; null (unset) means the platform module's default.
  kafka_cidr_blocks                = var.kafka_cidr_blocks
  kms_key_administrator_arns       = var.kms_key_administrator_arns
  ci_role_names                    = var.ci_role_names
  emr_release_label                = var.emr_release_label
  glue_database_names              = var.glue_database_names
  operator_principal_arns          = var.operator_principal_arns
  create_prometheus_workspace      = var.create_prometheus_workspace
  manage_glue_catalog_encryption   = var.manage_glue_catalog_encryption
  force_destroy                    = var.force_destroy
  msk_subnet_ids                   = var.msk_subnet_ids
  msk_kafka_version                = var.msk_kafka_version
  kafka_topics                     = var.kafka_topics
  existing_kafka_bootstrap_brokers = var.existing_kafka_bootstrap_brokers
  existing_kafka_cluster_arn       = var.existing_kafka_cluster_arn
  batch_schedule_expression        = var.batch_schedule_expression
  alarm_email_addresses            = var.alarm_email_addresses
}

# The modules used to be called from this root directly. These blocks move
# existing state to the new addresses instead of replacing the resources.
moved {
  from = module.lake_storage
  to   = module.platform.module.lake_storage
}

moved {
  from = module.emr_serverless
  to   = module.platform.module.emr_serverless
}

moved {
  from = module.catalog
  to   = module.platform.module.catalog
}

moved {
  from = module.job_submitter
  to   = module.platform.module.job_submitter
}
