output "application_id" {
  description = "ID of the EMR Serverless application (for aws emr-serverless start-job-run --application-id)."
  value       = try(aws_emrserverless_application.this.id, null)
}

output "application_arn" {
  description = "ARN of the EMR Serverless application."
  value       = try(aws_emrserverless_application.this.arn, null)
}

output "release_label" {
  description = "EMR release label of the application."
  value       = var.release_label
}

output "release_labels" {
  description = "The EMR Serverless release labels this module knows: the Spark and Delta versions each ships, whether their minor versions are the build's (local.build: pom.xml's), and so whether release_label may be that label (supported)."
  value = {
    for label, r in local.releases : label => {
      spark            = r.spark
      delta            = r.delta
      same_spark_minor = local.release_checks[label].same_spark_minor
      same_delta_minor = local.release_checks[label].same_delta_minor
      supported        = contains(local.supported_release_labels, label)
    }
  }
}

output "job_role_arn" {
  description = "ARN of the job runtime role (for start-job-run --execution-role-arn)."
  value       = try(aws_iam_role.job.arn, null)
}

output "job_policy" {
  description = "The job role's permissions (its inline policy, JSON), for review in the plan and for the tests of the modules that call this one."
  value       = jsonencode(local.job_policy)
}

output "job_role_name" {
  description = "Name of the job runtime role."
  value       = try(aws_iam_role.job.name, null)
}

output "security_group_ids" {
  description = "Security groups attached to the workers."
  value       = local.security_group_ids
}

output "log_group_name" {
  description = "CloudWatch log group for job runs (monitoringConfiguration.cloudWatchLoggingConfiguration.logGroupName)."
  value       = try(aws_cloudwatch_log_group.this.name, local.log_group_name)
}

output "delta_log_store_table_name" {
  description = "DynamoDB table of Delta's S3DynamoDBLogStore."
  value       = try(aws_dynamodb_table.delta_log.name, local.delta_log_table_name)
}

output "spark_conf" {
  description = "Spark properties that point Delta at the S3 DynamoDB LogStore table; pass them with --conf when submitting jobs."
  value = {
    "spark.delta.logStore.s3.impl"                            = "io.delta.storage.S3DynamoDBLogStore"
    "spark.delta.logStore.s3a.impl"                           = "io.delta.storage.S3DynamoDBLogStore"
    "spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName" = local.delta_log_table_name
    "spark.io.delta.storage.S3DynamoDBLogStore.ddb.region"    = local.region
  }
}

output "prometheus_workspace_arn" {
  description = "ARN of the Amazon Managed Service for Prometheus workspace of the Spark metrics (the only one the job role may remote-write to); null when not created."
  value       = try(aws_prometheus_workspace.this[0].arn, null)
}

output "prometheus_remote_write_url" {
  description = "Remote write URL of that workspace, for the job runs' monitoringConfiguration.prometheusMonitoringConfiguration.remoteWriteUrl; null when not created."
  value       = try("${trimsuffix(aws_prometheus_workspace.this[0].prometheus_endpoint, "/")}/api/v1/remote_write", null)
}
