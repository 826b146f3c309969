module "ndjson_intake" {
  source = "../../terraform"

  environment             = "dev"
  blank_step_function_arn = var.blank_step_function_arn
  # The file router's rollback switch, as the intake's above.
  blank_router_step_function_arn = var.blank_router_step_function_arn
  alert_email_addresses          = var.alert_email_addresses
  enable_utilities               = true
  enable_router                  = true

  enable_datamart       = true
  datamart_network      = var.datamart_network
  datamart_secret_arn   = var.datamart_secret_arn
  datamart_chain_bundle = "events"

  # A disposable environment: buckets and table may be destroyed with their data.
  force_destroy      = true
  log_retention_days = 365

  lambda_reserved_concurrency = 5
  sqs_maximum_concurrency     = 2
  glue_number_of_workers      = 2
  glue_max_concurrent_runs    = 2
}

output "ndjson_intake" {
  description = "Everything the dev stack exposes (buckets, queues, table, function, state machine, job, topic)."
  value       = module.ndjson_intake
}
