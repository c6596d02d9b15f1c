variable "glue_database_names" {
  description = "Glue database per layer and of the platform's system tables (system). An attribute left out or null takes its default: bronze, silver, gold, medallion_system. Glue databases are per account and region: give each environment its own names if several share one."
  type = object({
    bronze = optional(string, "bronze")
    silver = optional(string, "silver")
    gold   = optional(string, "gold")
    system = optional(string, "medallion_system")
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for d in values(var.glue_database_names) : can(regex("^[a-z0-9_]{1,255}$", d))])
    error_message = "Glue database names must be lowercase letters, digits and underscores (Athena does not accept hyphens)."
  }

  # The jobs register a table by its name in its layer's database: two layers
  # in one database would register their tables over each other.
  validation {
    condition     = length(distinct(values(var.glue_database_names))) == 4
    error_message = "bronze, silver, gold and system need four different Glue databases."
  }
}
