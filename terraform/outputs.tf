output "bucket_names" {
  description = "Bucket name per purpose: input, manifests, output, quarantine, artifacts, access-logs."
  value       = module.storage.bucket_names
}

output "input_bucket_name" {
  description = "Bucket to upload NDJSON files to (under input_prefix)."
  value       = module.storage.bucket_names["input"]
}

output "input_prefix" {
  description = "Key prefix under which uploads enter the pipeline."
  value       = var.input_prefix
}

output "intake_queue_url" {
  description = "URL of the intake queue (S3 notifications for the manifest builder)."
  value       = module.intake_queue.queue_url
}

output "dead_letter_queue_url" {
  description = "URL of the intake dead-letter queue."
  value       = module.intake_queue.dead_letter_queue_url
}

output "kms_key_arn" {
  description = "ARN of the stack's customer-managed key."
  value       = module.kms.key_arn
}

output "tracking_table_name" {
  description = "DynamoDB table tracking files, manifests and the batch lock."
  value       = module.intake_tracking_table.table_name
}

output "manifest_builder_function_name" {
  description = "Name of the manifest builder Lambda."
  value       = module.intake_manifest_builder.function_name
}

output "manifest_builder_environment" {
  description = "Environment the manifest builder runs with (lets local tools run the same code with the same settings)."
  value       = module.intake_manifest_builder.environment_variables
}

output "state_machine_arn" {
  description = "ARN of the manifest processing state machine (deployed even while STEP_FUNCTION_ARN is blanked)."
  value       = module.intake_state_machine.state_machine_arn
}

output "step_function_arn_blanked" {
  description = "True while the rollback switch blanks the manifest builder's STEP_FUNCTION_ARN."
  value       = var.blank_step_function_arn
}

output "glue_job_name" {
  description = "Name of the NDJSON to Parquet Glue job."
  value       = module.intake_glue_job.job_name
}

output "catalog_table" {
  description = "The Data Catalog table over the Parquet output, as `database.table` (Athena: SELECT * FROM <it>)."
  value       = "${aws_glue_catalog_database.intake.name}.${aws_glue_catalog_table.intake_parquet.name}"
}

output "alerts_topic_arn" {
  description = "SNS topic receiving alarms and failure alerts."
  value       = module.alerts.topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the pipeline."
  value       = module.intake_monitoring.dashboard_name
}

output "dead_letter_queue_arn" {
  description = "ARN of the intake dead-letter queue (the source of `aws sqs start-message-move-task` when redriving)."
  value       = module.intake_queue.dead_letter_queue_arn
}

output "uploader_policy_json" {
  description = "IAM policy to attach to whoever uploads files: PutObject under the input prefix, and the data keys of the stack's KMS key."
  value       = data.aws_iam_policy_document.intake_uploader.json
}

output "reader_policy_json" {
  description = "IAM policy to attach to whoever reads the Parquet output: list and get in the output bucket, decrypt with the stack's KMS key."
  value       = data.aws_iam_policy_document.intake_reader.json
}

output "utility_function_names" {
  description = "Names of the utility functions (DownloadZip, UploadConfig) when enable_utilities is on, for `aws lambda invoke`."
  value = var.enable_utilities ? {
    download_zip  = module.utilities_download_zip["this"].function_name
    upload_config = module.utilities_upload_config["this"].function_name
  } : {}
}

output "config_bucket_name" {
  description = "Bucket of the versioned configs (the router's config/config.json, datamart run requests)."
  value       = module.storage.bucket_names["config"]
}

output "router_function_name" {
  description = "Name of the file router Lambda (null without enable_router); `platform-ops router` reads its settings from it."
  value       = var.enable_router ? module.router_function["this"].function_name : null
}

output "router_decisions_table_name" {
  description = "DynamoDB table of the router's decisions, one item per landed object (null without enable_router)."
  value       = var.enable_router ? module.router_decisions_table["this"].table_name : null
}

output "router_state_machine_arn" {
  description = "ARN of the file routing state machine (null without enable_router)."
  value       = var.enable_router ? module.router_state_machine["this"].state_machine_arn : null
}

output "datamart_state_machine_arn" {
  description = "The datamart load state machine (null without enable_datamart)."
  value       = var.enable_datamart ? module.datamart_state_machine["this"].state_machine_arn : null
}

output "datamart_runs_table_name" {
  description = "The datamart's run records (null without enable_datamart)."
  value       = var.enable_datamart ? module.datamart_runs_table["this"].table_name : null
}

output "datamart_secret_arn" {
  description = "The secret the datamart's job and functions connect with (null without enable_datamart)."
  value       = var.enable_datamart ? local.datamart_secret_arn : null
}

output "datamart_notices_topic_arn" {
  description = "The topic of the datamart's run summaries (null without enable_datamart)."
  value       = var.enable_datamart ? module.datamart_notices["this"].topic_arn : null
}

output "datamart_function_names" {
  description = "The datamart workflow's functions by state key (empty without enable_datamart)."
  value       = { for key, function in module.datamart_function : key => function.function_name }
}
