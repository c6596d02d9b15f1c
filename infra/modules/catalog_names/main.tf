# The names of Medallion's Glue databases, defined once. No provider and no
# resources: modules/catalog names the databases it creates with it, and the
# job runs get the same names (--glue-database LAYER=NAME) from the catalog's
# outputs (modules/platform); `ci/deploy.sh --dry-run` plans this module alone
# to render them offline.

locals {
  # The layers as the jobs name them (--glue-database LAYER=NAME; the system
  # tables' layer is "_system", like its lake folder).
  layer_databases = {
    bronze  = var.glue_database_names.bronze
    silver  = var.glue_database_names.silver
    gold    = var.glue_database_names.gold
    _system = var.glue_database_names.system
  }
}
