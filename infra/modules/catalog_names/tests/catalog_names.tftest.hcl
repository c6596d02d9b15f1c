# The one definition of the Glue database names (no provider).

run "defaults_are_bronze_silver_gold_and_medallion_system" {
  command = plan

  assert {
    condition     = output.database_names == { bronze = "bronze", silver = "silver", gold = "gold", system = "medallion_system" }
    error_message = "Without glue_database_names the databases must be bronze, silver, gold and medallion_system."
  }

  assert {
    condition     = output.layer_databases == { bronze = "bronze", silver = "silver", gold = "gold", _system = "medallion_system" }
    error_message = "layer_databases must name the system tables' layer _system, as the jobs' --glue-database does."
  }
}

# Environment roots pass null for what they leave unset.
run "attributes_left_out_or_null_keep_their_default" {
  command = plan

  variables {
    glue_database_names = { bronze = "dev_bronze", silver = null, system = "dev_medallion_system" }
  }

  assert {
    condition     = output.layer_databases == { bronze = "dev_bronze", silver = "silver", gold = "gold", _system = "dev_medallion_system" }
    error_message = "Given names must be used, and the others keep their defaults."
  }
}

run "rejects_a_hyphen" {
  command = plan

  variables {
    glue_database_names = { gold = "dev-gold" }
  }

  expect_failures = [var.glue_database_names]
}

run "rejects_two_layers_in_one_database" {
  command = plan

  variables {
    glue_database_names = { silver = "lake", gold = "lake" }
  }

  expect_failures = [var.glue_database_names]
}
