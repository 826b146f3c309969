# The NDJSON intake pipeline: S3 -> SQS -> manifest builder Lambda -> Step Functions -> Glue -> Parquet.
# Environments (environments/<name>/) call this module with values only.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  name_prefix = "${var.project_name}-${var.environment}"
  tags        = merge(var.tags, { Project = var.project_name, Environment = var.environment })

  repo_root           = "${path.module}/.."
  lambda_package_path = coalesce(var.lambda_package_path, "${local.repo_root}/build/lambda/manifest_builder.zip")
  glue_script_path    = coalesce(var.glue_script_path, "${local.repo_root}/src/glue/ndjson_to_parquet.py")
  glue_library_path   = coalesce(var.glue_library_path, "${local.repo_root}/build/glue/ndjson_parquet.zip")
  glue_line_parser_jar_path = coalesce(
    var.glue_line_parser_jar_path, "${local.repo_root}/build/glue/ndjson_line_parser.jar"
  )

  # Names are fixed here rather than read from the modules so that IAM can scope each role to
  # resources that do not exist yet, without a dependency cycle (role -> function -> role), and so
  # that the manifest builder's whole environment is known, and reviewable, in the plan.
  lambda_function_name  = "${local.name_prefix}-manifest-builder"
  glue_job_name         = "${local.name_prefix}-ndjson-to-parquet"
  state_machine_name    = "${local.name_prefix}-manifest-processing"
  alerts_topic_name     = "${local.name_prefix}-alerts"
  glue_artifacts_prefix = "glue/"
  arn_prefix = join(":", [
    "arn", data.aws_partition.current.partition, "%s", data.aws_region.current.name,
    data.aws_caller_identity.current.account_id,
  ])
  state_machine_arn = "${format(local.arn_prefix, "states")}:stateMachine:${local.state_machine_name}"
  alerts_topic_arn  = "${format(local.arn_prefix, "sns")}:${local.alerts_topic_name}"

  manifest_builder_environment = merge(var.lambda_extra_environment, {
    TRACKING_TABLE              = module.dynamodb.table_name
    MANIFEST_BUCKET             = module.storage.bucket_names["manifests"]
    MANIFEST_PREFIX             = var.manifest_prefix
    QUARANTINE_BUCKET           = module.storage.bucket_names["quarantine"]
    STEP_FUNCTION_ARN           = var.blank_step_function_arn ? "" : local.state_machine_arn
    SNS_TOPIC_ARN               = local.alerts_topic_arn
    ALLOWED_EXTENSIONS          = join(",", var.allowed_extensions)
    MIN_FILE_SIZE_BYTES         = tostring(var.min_file_size_bytes)
    MAX_FILE_SIZE_BYTES         = tostring(var.max_file_size_bytes)
    MAX_FILES_PER_MANIFEST      = tostring(var.max_files_per_manifest)
    MAX_BYTES_PER_MANIFEST      = tostring(var.max_bytes_per_manifest)
    MIN_FILES_FOR_PARTIAL_BATCH = tostring(var.min_files_for_partial_batch)
    LOCK_TTL_SECONDS            = tostring(var.lock_ttl_seconds)
    LOG_LEVEL                   = var.lambda_log_level
  })
}

module "storage" {
  source = "./modules/storage"

  name_prefix                       = local.name_prefix
  input_prefix                      = var.input_prefix
  queue_visibility_timeout_seconds  = 6 * var.lambda_timeout_seconds
  max_receive_count                 = var.max_receive_count
  noncurrent_version_retention_days = var.noncurrent_version_retention_days
  access_log_retention_days         = var.log_retention_days
  force_destroy                     = var.force_destroy
  tags                              = local.tags
}

module "dynamodb" {
  source = "./modules/dynamodb"

  table_name          = "${local.name_prefix}-tracking"
  kms_key_arn         = module.storage.kms_key_arn
  deletion_protection = !var.force_destroy
  tags                = local.tags
}

module "iam" {
  source = "./modules/iam"

  name_prefix           = local.name_prefix
  kms_key_arn           = module.storage.kms_key_arn
  bucket_arns           = module.storage.bucket_arns
  manifest_prefix       = var.manifest_prefix
  glue_artifacts_prefix = local.glue_artifacts_prefix
  intake_queue_arn      = module.storage.intake_queue_arn
  tracking_table_arn    = module.dynamodb.table_arn
  alerts_topic_arn      = local.alerts_topic_arn
  lambda_function_name  = local.lambda_function_name
  state_machine_name    = local.state_machine_name
  glue_job_name         = local.glue_job_name
  tags                  = local.tags
}

module "lambda" {
  source = "./modules/lambda"

  function_name           = local.lambda_function_name
  role_arn                = module.iam.manifest_builder_role_arn
  package_path            = local.lambda_package_path
  runtime                 = var.lambda_runtime
  timeout_seconds         = var.lambda_timeout_seconds
  memory_mb               = var.lambda_memory_mb
  reserved_concurrency    = var.lambda_reserved_concurrency
  environment_variables   = local.manifest_builder_environment
  kms_key_arn             = module.storage.kms_key_arn
  log_retention_days      = var.log_retention_days
  intake_queue_arn        = module.storage.intake_queue_arn
  batch_size              = var.sqs_batch_size
  batching_window_seconds = var.sqs_batching_window_seconds
  maximum_concurrency     = var.sqs_maximum_concurrency
  orphan_sweep_schedule   = var.orphan_sweep_schedule
  tags                    = local.tags
}

module "glue" {
  source = "./modules/glue"

  job_name              = local.glue_job_name
  role_arn              = module.iam.glue_job_role_arn
  script_path           = local.glue_script_path
  library_path          = local.glue_library_path
  line_parser_jar_path  = local.glue_line_parser_jar_path
  artifacts_bucket_name = module.storage.bucket_names["artifacts"]
  artifacts_prefix      = local.glue_artifacts_prefix
  kms_key_arn           = module.storage.kms_key_arn
  manifest_bucket_name  = module.storage.bucket_names["manifests"]
  output_bucket_name    = module.storage.bucket_names["output"]
  output_prefix         = var.output_prefix
  rejects_prefix        = var.rejects_prefix
  compression_type      = var.compression_type
  max_reject_ratio      = var.max_reject_ratio
  target_file_size_mb   = var.target_file_size_mb
  extra_arguments       = var.glue_extra_arguments
  worker_type           = var.glue_worker_type
  number_of_workers     = var.glue_number_of_workers
  timeout_minutes       = var.glue_timeout_minutes
  max_concurrent_runs   = var.glue_max_concurrent_runs
  log_retention_days    = var.log_retention_days
  tags                  = local.tags
}

module "step_functions" {
  source = "./modules/step_functions"

  state_machine_name          = local.state_machine_name
  role_arn                    = module.iam.state_machine_role_arn
  definition_template_path    = "${local.repo_root}/asl/manifest_processing.asl.json.tftpl"
  tracking_table_name         = module.dynamodb.table_name
  glue_job_name               = module.glue.job_name
  alerts_topic_arn            = local.alerts_topic_arn
  glue_retry_interval_seconds = var.glue_retry_interval_seconds
  log_level                   = var.state_machine_log_level
  kms_key_arn                 = module.storage.kms_key_arn
  log_retention_days          = var.log_retention_days
  tags                        = local.tags
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix                          = local.name_prefix
  alerts_topic_name                    = local.alerts_topic_name
  kms_key_arn                          = module.storage.kms_key_arn
  alert_email_addresses                = var.alert_email_addresses
  lambda_function_name                 = module.lambda.function_name
  intake_queue_name                    = module.storage.intake_queue_name
  dead_letter_queue_name               = module.storage.dead_letter_queue_name
  state_machine_arn                    = module.step_functions.state_machine_arn
  glue_job_name                        = module.glue.job_name
  oldest_message_age_threshold_seconds = var.oldest_message_age_alarm_seconds
  tags                                 = local.tags
}
