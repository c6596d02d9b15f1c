output "database_names" {
  description = "The Glue database names, defaults applied: bronze, silver, gold and system."
  value       = var.glue_database_names
}

output "layer_databases" {
  description = "The Glue database of each layer, by the jobs' layer names (bronze, silver, gold, _system): what the job runs pass as --glue-database LAYER=NAME."
  value       = local.layer_databases
}
