module "ndjson_intake" {
  source = "../../terraform"

  environment             = "prod"
  blank_step_function_arn = var.blank_step_function_arn
  # The file router's rollback switch, as the intake's above.
  blank_router_step_function_arn = var.blank_router_step_function_arn
  alert_email_addresses          = var.alert_email_addresses
  enable_utilities               = true
  enable_router                  = true

  enable_datamart          = true
  datamart_network         = var.datamart_network
  create_datamart_database = true
  datamart_database        = { min_capacity = 0.5, max_capacity = 8, backup_retention_days = 14 }
  datamart_chain_bundle    = "events"
  datamart_schedules       = { events = "cron(30 2 * * ? *)" }

  force_destroy      = false
  log_retention_days = 731

  lambda_memory_mb            = 512
  lambda_reserved_concurrency = 20
  sqs_maximum_concurrency     = 10
  glue_worker_type            = "G.2X"
  glue_number_of_workers      = 4
  glue_max_concurrent_runs    = 5
}

output "ndjson_intake" {
  description = "Everything the prod stack exposes (buckets, queues, table, function, state machine, job, topic)."
  value       = module.ndjson_intake
}
