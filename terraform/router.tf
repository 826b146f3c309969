# The file router: files landing under data/in/ of the input bucket are announced by EventBridge to the
# router Lambda, which matches them against config/config.json (in the config bucket, written by
# UploadConfig) and starts the routing state machine: one nested datamart workflow execution per matching
# job, then the file archived or set aside as failed. Switched by enable_router.

locals {
  router = {
    function_name      = "${local.name_prefix}-file-router"
    state_machine_name = "${local.name_prefix}-file-routing"
    table_name         = "${local.name_prefix}-router-decisions"
    undelivered_queue  = "${local.name_prefix}-router-undelivered"
    trigger            = "landed"
    config_key         = "config/config.json"
    # Everything the router reads, moves and writes in the landing bucket lives under data/.
    input_prefix     = "data/in/"
    new_files_prefix = "data/new_files/"
    archive_prefix   = "data/archive/"
    failed_prefix    = "data/failed/"
  }
  router_enabled = var.enable_router ? toset(["this"]) : toset([])

  router_landing_bucket_arn = module.storage.bucket_arns["input"]
  router_function_arn       = "${format(local.arn_prefix, "lambda")}:function:${local.router.function_name}"
  router_state_machine_arn  = "${format(local.arn_prefix, "states")}:stateMachine:${local.router.state_machine_name}"
  router_rule_arn           = "${format(local.arn_prefix, "events")}:rule/${local.router.function_name}-${local.router.trigger}"
  # Each routed file is loaded by this stack's datamart workflow (datamart.tf), as a nested execution.
  router_datamart_arn        = local.datamart_state_machine_arn
  router_datamart_executions = replace("${local.router_datamart_arn}:*", ":stateMachine:", ":execution:")
}

# Where EventBridge puts an event it could not deliver to the router after its retries.
module "router_undelivered" {
  source   = "./modules/sqs"
  for_each = local.router_enabled

  name                       = local.router.undelivered_queue
  kms_key_arn                = module.kms.key_arn
  visibility_timeout_seconds = 300
  dead_letter                = {}
  senders = {
    RouterRuleDeadLetters = { service = "events.amazonaws.com", source_arns = [local.router_rule_arn] }
  }
  tags = local.tags
}

# One item per landed object: the decision, its jobs, its execution and the config version it used.
module "router_decisions_table" {
  source   = "./modules/dynamodb"
  for_each = local.router_enabled

  name                = local.router.table_name
  hash_key            = "file"
  range_key           = "version"
  attributes          = { file = "S", version = "S" }
  kms_key_arn         = module.kms.key_arn
  deletion_protection = !var.force_destroy
  tags                = local.tags
}

module "router_iam" {
  source   = "./modules/iam"
  for_each = local.router_enabled

  name_prefix = local.name_prefix
  roles = {
    file-router = {
      description              = "File router Lambda: matches landed files to the config, moves unknown ones aside, starts routing, settles routed files."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.router.function_name}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        # ListBucket makes a missing object or config answer 404 (gone) instead of 403.
        {
          sid       = "ListLandingAndConfig"
          actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
          resources = [local.router_landing_bucket_arn, module.storage.bucket_arns["config"]]
        },
        {
          sid       = "ReadConfig"
          actions   = ["s3:GetObject", "s3:GetObjectVersion"]
          resources = ["${module.storage.bucket_arns["config"]}/${local.router.config_key}"]
        },
        # The move: read (HEAD) and copy the landed version, then delete exactly that version.
        {
          sid       = "MoveLandedFiles"
          actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion"]
          resources = ["${local.router_landing_bucket_arn}/${local.router.input_prefix}*"]
        },
        {
          sid     = "WriteMovedFiles"
          actions = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
          resources = [
            for prefix in [local.router.new_files_prefix, local.router.archive_prefix, local.router.failed_prefix] :
            "${local.router_landing_bucket_arn}/${prefix}*"
          ]
        },
        {
          sid       = "RecordDecisions"
          actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          resources = [module.router_decisions_table["this"].table_arn]
        },
        {
          sid       = "StartRouting"
          actions   = ["states:StartExecution"]
          resources = [local.router_state_machine_arn]
        },
        {
          sid       = "ReadRoutingExecutions"
          actions   = ["states:DescribeExecution"]
          resources = ["${replace(local.router_state_machine_arn, ":stateMachine:", ":execution:")}:*"]
        },
        {
          sid       = "PublishNotices"
          actions   = ["sns:Publish"]
          resources = [local.alerts_topic_arn]
        },
      ]
    }
    routing = {
      description         = "File routing state machine: runs the datamart workflow per job, then the router's settle step."
      service             = "states.amazonaws.com"
      vended_log_delivery = true
      data_key            = { key_arn = module.kms.key_arn }
      statements = [
        {
          sid       = "StartDatamartWorkflow"
          actions   = ["states:StartExecution"]
          resources = [local.router_datamart_arn]
        },
        # What startExecution.sync:2 calls besides: follow the nested execution, stop it on abort.
        {
          sid       = "FollowDatamartWorkflow"
          actions   = ["states:DescribeExecution", "states:StopExecution"]
          resources = [local.router_datamart_executions]
        },
        {
          sid       = "SyncRule"
          actions   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
          resources = ["${format(local.arn_prefix, "events")}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]
        },
        {
          sid       = "SettleFile"
          actions   = ["lambda:InvokeFunction"]
          resources = [local.router_function_arn]
        },
        {
          sid       = "SendFailureAlert"
          actions   = ["sns:Publish"]
          resources = [local.alerts_topic_arn]
        },
      ]
    }
  }
  tags = local.tags
}

module "router_function" {
  source   = "./modules/lambda"
  for_each = local.router_enabled

  function_name     = local.router.function_name
  description       = "Matches each file landing under data/in/ against config/config.json and routes it to its load jobs."
  package_path      = "${local.repo_lambda_packages}/file_router.zip"
  handler           = "file_router.handler.lambda_handler"
  role_arn          = module.router_iam["this"].role_arns["file-router"]
  pipeline          = "router"
  metrics_namespace = local.name_prefix
  # The zip carries compiled libraries built for this runtime (jsonschema's rpds-py).
  runtime = "python3.12"
  # A move of a multi-GiB file part by part is server-side but takes minutes.
  timeout_seconds      = 900
  memory_mb            = 512
  reserved_concurrency = var.router_reserved_concurrency
  environment_variables = {
    SNS_TOPIC_ARN          = local.alerts_topic_arn
    STEP_FUNCTION_ARN      = var.blank_router_step_function_arn ? "" : local.router_state_machine_arn
    CONFIG_BUCKET          = module.storage.bucket_names["config"]
    CONFIG_KEY             = local.router.config_key
    DECISIONS_TABLE        = module.router_decisions_table["this"].table_name
    DEPLOYED_LOAD_JOBS     = join(",", var.router_load_jobs)
    CONFIG_REFRESH_SECONDS = tostring(var.router_config_refresh_seconds)
  }
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  triggers = {
    (local.router.trigger) = {
      description = "S3 Object Created events of data/in/ in the input bucket: the router's own moves land elsewhere, so they never loop back."
      event_pattern = jsonencode({
        source        = ["aws.s3"]
        "detail-type" = ["Object Created"]
        detail = {
          bucket = { name = [module.storage.bucket_names["input"]] }
          object = { key = [{ prefix = local.router.input_prefix }] }
        }
      })
      dead_letter_queue_arn     = module.router_undelivered["this"].queue_arn
      maximum_event_age_seconds = 86400
      maximum_retry_attempts    = 185
    }
  }
  tags = local.tags
}

module "router_state_machine" {
  source   = "./modules/step_functions"
  for_each = local.router_enabled

  name                     = local.router.state_machine_name
  role_arn                 = module.router_iam["this"].role_arns["routing"]
  definition_template_path = "${local.repo_root}/asl/file_routing.asl.json.tftpl"
  template_variables = {
    datamart_state_machine_arn = local.router_datamart_arn
    router_function_arn        = local.router_function_arn
    alerts_topic_arn           = local.alerts_topic_arn
    max_concurrent_loads       = var.router_max_concurrent_loads
    concurrency_retry          = var.glue_concurrency_retry
  }
  log_level          = var.state_machine_log_level
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

# The config the router starts with, from the repository (validated by the schema in make test). Later
# versions are UploadConfig's: Terraform creates the object once and leaves what it holds afterwards.
resource "aws_s3_object" "router_config" {
  for_each = local.router_enabled

  bucket       = module.storage.bucket_names["config"]
  key          = local.router.config_key
  source       = "${local.repo_root}/config/config.json"
  content_type = "application/json"

  # Terraform seeds the first config only: from then on UploadConfig owns the object and writes new
  # versions of it (its content, encryption and checksums then differ from this seed's), which Terraform
  # must neither revert nor report as drift.
  lifecycle {
    ignore_changes = all
  }
}

# routing-executions-failed stays beside the router's own alerts: a file can fail without one (the settle
# step's alert is best effort, and an unsettled file whose alert cannot be sent ends in NotSettled).
module "router_monitoring" {
  source   = "./modules/monitoring"
  for_each = local.router_enabled

  name_prefix        = local.name_prefix
  alerts_topic_arn   = module.alerts.topic_arn
  functions          = { file-router = module.router_function["this"].function_name }
  state_machines     = { routing-executions = module.router_state_machine["this"].state_machine_arn }
  dead_letter_queues = { router-undelivered = module.router_undelivered["this"].queue_name }
  dashboard_name     = "${local.name_prefix}-router"
  dashboard_widgets = [
    {
      title = "Router decisions", stat = "Sum"
      metrics = [
        for metric in ["FilesTriggered", "FilesNotConfigured", "FilesOfInactiveJobs", "FilesHeld", "FilesIgnored", "DuplicateDeliveries"] :
        [local.name_prefix, metric, "pipeline", "router", "function", "file_router"]
      ]
    },
    {
      title = "Routed files settled", stat = "Sum"
      metrics = [
        [local.name_prefix, "RoutedFilesArchived", "pipeline", "router", "function", "file_router"],
        [local.name_prefix, "RoutedFilesFailed", "pipeline", "router", "function", "file_router"],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", module.router_undelivered["this"].queue_name, { label = "undelivered events" }],
      ]
    },
  ]
  tags = local.tags
}
