output "database_names" {
  description = "Glue database name per layer (bronze, silver, gold); the system database is system_database_name."
  value       = { for k, db in aws_glue_catalog_database.this : k => try(db.name, local.layers[k].database) }
}

output "workgroup_name" {
  description = "Name of the enforced, encrypted Athena workgroup for analysts."
  value       = try(aws_athena_workgroup.this.name, local.workgroup_name)
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = local.workgroup_arn
}

output "athena_results_uri" {
  description = "s3:// URI Athena writes encrypted query results to."
  value       = local.athena_results_uri
}

output "analysts_role_arn" {
  description = "ARN of the analysts role (read gold, query in the workgroup)."
  value       = try(aws_iam_role.analysts.arn, null)
}

output "catalog_encryption_managed" {
  description = "Whether this module manages the account/region Glue Data Catalog encryption settings."
  value       = var.manage_catalog_encryption
}

output "system_database_name" {
  description = "Glue database of the platform's system tables (the jobs register the event log there as the table \"events\")."
  value       = try(aws_glue_catalog_database.system.name, local.system_database)
}

output "layer_databases" {
  description = "The Glue database of each layer by the jobs' layer names (bronze, silver, gold, _system), read from the databases this module creates: what every job run passes as --glue-database LAYER=NAME, and the databases the job role registers tables in."
  value = merge(
    { for k, db in aws_glue_catalog_database.this : k => db.name },
    { _system = aws_glue_catalog_database.system.name },
  )
}

output "operators_workgroup_name" {
  description = "Name of the operators' Athena workgroup; null without operator_principal_arns."
  value       = local.create_operators ? local.operators_workgroup_name : null
}

output "operators_role_arn" {
  description = "ARN of the operators role (read the system tables, query in the operators' workgroup); null without operator_principal_arns."
  value       = try(aws_iam_role.operators[0].arn, null)
}
