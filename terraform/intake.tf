# The NDJSON intake: S3 -> SQS -> manifest builder Lambda -> Step Functions -> Glue -> Parquet.

locals {
  intake = {
    function_name      = "${local.name_prefix}-manifest-builder"
    glue_job_name      = "${local.name_prefix}-ndjson-to-parquet"
    state_machine_name = "${local.name_prefix}-manifest-processing"
    queue_name         = "${local.name_prefix}-intake"
    # Athena and the Data Catalog take lowercase letters, digits and underscores only.
    catalog_database = replace(local.name_prefix, "-", "_")
    catalog_table    = "parquet"
    artifacts_prefix = "glue/"
  }
  intake_state_machine_arn = "${format(local.arn_prefix, "states")}:stateMachine:${local.intake.state_machine_name}"
  intake_glue_job_arn      = "${format(local.arn_prefix, "glue")}:job/${local.intake.glue_job_name}"
  intake_bucket_arns       = module.storage.bucket_arns
  # The tracking table's statuses and key formats, defined once for the Python code and the state machine.
  intake_tracking_schema = jsondecode(file("${local.repo_root}/src/lambda/manifest_builder/tracking_schema.json"))
  # A failed manifest whose alert could not be sent is counted here by its execution, in the namespace of the
  # intake's other metrics; the alarm on it is then the only report of that failure. Defined once for the
  # state machine, its role and the alarm.
  intake_unreported_failures = {
    namespace   = local.name_prefix
    metric_name = "UnreportedFailures"
    dimensions  = { pipeline = "intake" }
  }

  lambda_package_path = coalesce(var.lambda_package_path, "${local.repo_root}/build/lambda/manifest_builder.zip")
  glue_script_path    = coalesce(var.glue_script_path, "${local.repo_root}/src/glue/ndjson_to_parquet.py")
  glue_library_path   = coalesce(var.glue_library_path, "${local.repo_root}/build/glue/ndjson_parquet.zip")
  glue_line_parser_jar_path = coalesce(
    var.glue_line_parser_jar_path, "${local.repo_root}/build/glue/ndjson_line_parser.jar"
  )

  manifest_builder_environment = merge(var.lambda_extra_environment, {
    TRACKING_TABLE              = module.intake_tracking_table.table_name
    MANIFEST_BUCKET             = module.storage.bucket_names["manifests"]
    MANIFEST_PREFIX             = var.manifest_prefix
    QUARANTINE_BUCKET           = module.storage.bucket_names["quarantine"]
    STEP_FUNCTION_ARN           = var.blank_step_function_arn ? "" : local.intake_state_machine_arn
    SNS_TOPIC_ARN               = local.alerts_topic_arn
    ALLOWED_EXTENSIONS          = join(",", var.allowed_extensions)
    MIN_FILE_SIZE_BYTES         = tostring(var.min_file_size_bytes)
    MAX_FILE_SIZE_BYTES         = tostring(var.max_file_size_bytes)
    MAX_FILES_PER_MANIFEST      = tostring(var.max_files_per_manifest)
    MAX_BYTES_PER_MANIFEST      = tostring(var.max_bytes_per_manifest)
    MIN_FILES_FOR_PARTIAL_BATCH = tostring(var.min_files_for_partial_batch)
    LOCK_TTL_SECONDS            = tostring(var.lock_ttl_seconds)
    MAX_BATCH_WAIT_SECONDS      = tostring(var.max_batch_wait_seconds)
    INPUT_BUCKET                = module.storage.bucket_names["input"]
    INPUT_PREFIX                = var.input_prefix
    LOG_LEVEL                   = var.lambda_log_level
  })
}

module "intake_queue" {
  source = "./modules/sqs"

  name        = local.intake.queue_name
  kms_key_arn = module.kms.key_arn
  # AWS requires at least six times the consuming function's timeout.
  visibility_timeout_seconds = 6 * var.lambda_timeout_seconds
  dead_letter                = { max_receive_count = var.max_receive_count }
  senders = {
    InputBucketNotifications = { service = "s3.amazonaws.com", source_arns = [module.storage.bucket_arns["input"]] }
  }
  tags = local.tags
}

# One table tracks files, manifests and the batch lock (see the manifest builder's README for the
# item kinds); all of them live under the date partition they belong to.
module "intake_tracking_table" {
  source = "./modules/dynamodb"

  name       = "${local.name_prefix}-tracking"
  hash_key   = "date_prefix"
  range_key  = "file_key"
  attributes = { date_prefix = "S", file_key = "S" }
  # Lock items carry an expiry so a crashed holder cannot block batching for ever.
  ttl_attribute       = "expires_at"
  kms_key_arn         = module.kms.key_arn
  deletion_protection = !var.force_destroy
  tags                = local.tags
}

module "intake_iam" {
  source = "./modules/iam"

  name_prefix = local.name_prefix
  roles = {
    manifest-builder = {
      description = "Manifest builder Lambda: consumes the intake queue, tracks files, writes manifests."
      service     = "lambda.amazonaws.com"
      # The Lambda service does not set aws:SourceAccount when it assumes an execution role.
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.intake.function_name}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        {
          sid       = "ConsumeIntakeQueue"
          actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
          resources = [module.intake_queue.queue_arn]
        },
        # ListBucket makes a missing object answer 404 instead of 403, so the builder can tell "gone" from "denied".
        {
          sid       = "ListInputAndManifests"
          actions   = ["s3:ListBucket"]
          resources = [local.intake_bucket_arns["input"], local.intake_bucket_arns["manifests"]]
        },
        {
          sid       = "ReadInputFiles"
          actions   = ["s3:GetObject", "s3:GetObjectTagging"]
          resources = ["${local.intake_bucket_arns["input"]}/*"]
        },
        {
          sid       = "WriteManifests"
          actions   = ["s3:GetObject", "s3:PutObject"]
          resources = ["${local.intake_bucket_arns["manifests"]}/${var.manifest_prefix}*"]
        },
        {
          sid       = "QuarantineFiles"
          actions   = ["s3:PutObject", "s3:PutObjectTagging"]
          resources = ["${local.intake_bucket_arns["quarantine"]}/*"]
        },
        {
          sid = "TrackFiles"
          actions = [
            "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
            "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
          ]
          resources = [module.intake_tracking_table.table_arn]
        },
        {
          sid       = "StartManifestProcessing"
          actions   = ["states:StartExecution"]
          resources = [local.intake_state_machine_arn]
        },
        {
          sid       = "PublishNotices"
          actions   = ["sns:Publish"]
          resources = [local.alerts_topic_arn]
        },
      ]
    }
    glue-job = {
      description = "NDJSON to Parquet Glue job: reads manifests and input, writes Parquet and rejects."
      service     = "glue.amazonaws.com"
      data_key    = { key_arn = module.kms.key_arn, encrypt = true }
      statements = [
        {
          sid       = "ReadJobArtifacts"
          actions   = ["s3:GetObject"]
          resources = ["${local.intake_bucket_arns["artifacts"]}/${local.intake.artifacts_prefix}*"]
        },
        {
          sid       = "ReadManifests"
          actions   = ["s3:GetObject"]
          resources = ["${local.intake_bucket_arns["manifests"]}/${var.manifest_prefix}*"]
        },
        # GetObjectVersion: a manifest's listed version is copied when its key has moved on since.
        {
          sid       = "ReadInputFiles"
          actions   = ["s3:GetObject", "s3:GetObjectVersion"]
          resources = ["${local.intake_bucket_arns["input"]}/*"]
        },
        {
          sid       = "ListInputAndOutput"
          actions   = ["s3:ListBucket"]
          resources = [local.intake_bucket_arns["input"], local.intake_bucket_arns["output"]]
        },
        # Delete: a re-run of a manifest replaces that manifest's earlier output instead of duplicating it,
        # and the copies of listed versions (_staging/) go when the run ends.
        {
          sid       = "WriteParquetAndRejects"
          actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
          resources = ["${local.intake_bucket_arns["output"]}/*"]
        },
        # Glue names its log groups itself (/aws-glue/jobs/..., suffixed with the security configuration).
        {
          sid       = "JobLogs"
          actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
          resources = ["${format(local.arn_prefix, "logs")}:log-group:/aws-glue/*"]
        },
        # Each file's outcome (status, rows) and the manifest's totals, written on the items the builder made.
        {
          sid       = "RecordFileOutcomes"
          actions   = ["dynamodb:UpdateItem"]
          resources = [module.intake_tracking_table.table_arn]
        },
        # Each run's partition and new columns: Athena reads a manifest's rows once it completes.
        {
          sid     = "RegisterPartitions"
          actions = ["glue:BatchCreatePartition", "glue:DeletePartition", "glue:GetTable", "glue:UpdatePartition", "glue:UpdateTable"]
          resources = [
            "${format(local.arn_prefix, "glue")}:catalog",
            "${format(local.arn_prefix, "glue")}:database/${local.intake.catalog_database}",
            "${format(local.arn_prefix, "glue")}:table/${local.intake.catalog_database}/${local.intake.catalog_table}",
          ]
        },
        # PutMetricData accepts no resource ARN; the namespace condition keeps the job to the stack's own.
        {
          sid        = "PublishJobMetrics"
          actions    = ["cloudwatch:PutMetricData"]
          resources  = ["*"]
          conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = [local.name_prefix] }]
        },
      ]
    }
    state-machine = {
      description         = "Manifest processing state machine: status updates, Glue job runs, failure alerts."
      service             = "states.amazonaws.com"
      vended_log_delivery = true
      data_key            = { key_arn = module.kms.key_arn }
      statements = [
        {
          sid       = "UpdateManifestStatus"
          actions   = ["dynamodb:UpdateItem"]
          resources = [module.intake_tracking_table.table_arn]
        },
        # What `glue:startJobRun.sync` calls: start, poll until terminal, stop on execution abort.
        {
          sid       = "RunGlueJob"
          actions   = ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
          resources = [local.intake_glue_job_arn]
        },
        {
          sid       = "SendFailureAlert"
          actions   = ["sns:Publish"]
          resources = [local.alerts_topic_arn]
        },
        # PutMetricData accepts no resource ARN; the namespace condition keeps the execution to the stack's own.
        {
          sid        = "RecordUnreportedFailures"
          actions    = ["cloudwatch:PutMetricData"]
          resources  = ["*"]
          conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = [local.intake_unreported_failures.namespace] }]
        },
      ]
    }
  }
  tags = local.tags
}

module "intake_manifest_builder" {
  source = "./modules/lambda"

  function_name         = local.intake.function_name
  description           = "Validates, tracks and batches NDJSON files into manifests and starts their processing."
  package_path          = local.lambda_package_path
  handler               = "manifest_builder.handler.lambda_handler"
  role_arn              = module.intake_iam.role_arns["manifest-builder"]
  pipeline              = "intake"
  metrics_namespace     = local.name_prefix
  runtime               = var.lambda_runtime
  timeout_seconds       = var.lambda_timeout_seconds
  memory_mb             = var.lambda_memory_mb
  reserved_concurrency  = var.lambda_reserved_concurrency
  environment_variables = local.manifest_builder_environment
  kms_key_arn           = module.kms.key_arn
  log_retention_days    = var.log_retention_days
  sqs_event_source = {
    queue_arn               = module.intake_queue.queue_arn
    batch_size              = var.sqs_batch_size
    batching_window_seconds = var.sqs_batching_window_seconds
    maximum_concurrency     = var.sqs_maximum_concurrency
  }
  # The orphan sweep: the same function, invoked on a schedule, flushes partial batches nobody else
  # would complete (a quiet date partition) and recovers from expired locks.
  triggers = {
    orphan-sweep = {
      description         = "Invokes the manifest builder to flush partial batches of quiet date partitions."
      schedule_expression = var.orphan_sweep_schedule
      target_id           = "manifest-builder"
      statement_id        = "AllowOrphanSweepSchedule"
    }
    # The reconciliation: objects the tracking table never saw (a lost notification) are registered.
    reconciliation = {
      description         = "Invokes the manifest builder to register input objects whose notification never arrived."
      schedule_expression = var.reconciliation_schedule
      input               = jsonencode({ action = "reconcile" })
      target_id           = "manifest-builder"
      statement_id        = "AllowReconciliationSchedule"
    }
  }
  tags = local.tags
}

module "intake_glue_job" {
  source = "./modules/glue"

  job_name              = local.intake.glue_job_name
  description           = "Converts the NDJSON files listed in a manifest to Parquet; malformed lines go to rejects."
  role_arn              = module.intake_iam.role_arns["glue-job"]
  script_path           = local.glue_script_path
  extra_python_files    = [local.glue_library_path]
  extra_jars            = [local.glue_line_parser_jar_path]
  artifacts_bucket_name = module.storage.bucket_names["artifacts"]
  artifacts_prefix      = local.intake.artifacts_prefix
  kms_key_arn           = module.kms.key_arn
  arguments = merge(
    {
      "--MANIFEST_BUCKET"     = module.storage.bucket_names["manifests"]
      "--OUTPUT_BUCKET"       = module.storage.bucket_names["output"]
      "--OUTPUT_PREFIX"       = var.output_prefix
      "--REJECTS_PREFIX"      = var.rejects_prefix
      "--COMPRESSION_TYPE"    = var.compression_type
      "--MAX_REJECT_RATIO"    = tostring(var.max_reject_ratio)
      "--TARGET_FILE_SIZE_MB" = tostring(var.target_file_size_mb)
      "--METRICS_NAMESPACE"   = local.name_prefix
      "--TRACKING_TABLE"      = module.intake_tracking_table.table_name
      "--CATALOG_DATABASE"    = aws_glue_catalog_database.intake.name
      "--CATALOG_TABLE"       = aws_glue_catalog_table.intake_parquet.name
    },
    var.glue_extra_arguments,
  )
  worker_type         = var.glue_worker_type
  number_of_workers   = var.glue_number_of_workers
  timeout_minutes     = var.glue_timeout_minutes
  max_concurrent_runs = var.glue_max_concurrent_runs
  log_retention_days  = var.log_retention_days
  tags                = local.tags
}

module "intake_state_machine" {
  source = "./modules/step_functions"

  name                     = local.intake.state_machine_name
  role_arn                 = module.intake_iam.role_arns["state-machine"]
  definition_template_path = "${local.repo_root}/asl/manifest_processing.asl.json.tftpl"
  template_variables = {
    tracking_table_name         = module.intake_tracking_table.table_name
    glue_job_name               = module.intake_glue_job.job_name
    alerts_topic_arn            = local.alerts_topic_arn
    glue_retry_interval_seconds = var.glue_retry_interval_seconds
    concurrency_retry           = var.glue_concurrency_retry
    tracking                    = local.intake_tracking_schema
    unreported_failures         = local.intake_unreported_failures
  }
  log_level          = var.state_machine_log_level
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

module "intake_monitoring" {
  source = "./modules/monitoring"

  name_prefix        = local.name_prefix
  alerts_topic_arn   = module.alerts.topic_arn
  functions          = { manifest-builder = module.intake_manifest_builder.function_name }
  state_machines     = { executions = module.intake_state_machine.state_machine_arn }
  dead_letter_queues = { dead-letter = module.intake_queue.dead_letter_queue_name }
  # A failed manifest is reported once, by its execution (its failure path alerts with the error and the
  # replay command): no Glue event rule or ExecutionsFailed alarm repeats it. What no execution reports has
  # an alarm: an alert that could not be sent (unreported-failures), a timed-out execution (executions-timed-out).
  state_machines_alerting_own_failures = ["executions"]
  # What neither the execution's alert nor the unreported-failures metric reports: an error no Catch takes
  # (States.Runtime, States.DataLimitExceeded), or an alert and its metric both failed
  # (ManifestFailureUnreported). Every other failed execution ends ManifestProcessingFailed, already reported.
  event_alerts = {
    unreported-execution-failures = {
      description = "An intake execution failed without its own alert: the event names the execution, its error and cause. platform-ops intake status lists the failed manifests; fix the cause, then replay them."
      event_pattern = {
        source        = ["aws.states"]
        "detail-type" = ["Step Functions Execution Status Change"]
        detail = {
          stateMachineArn = [local.intake_state_machine_arn]
          status          = ["FAILED"]
          error           = [{ "anything-but" = ["ManifestProcessingFailed"] }]
        }
      }
    }
  }
  alarms = {
    unreported-failures = {
      description = "An intake execution failed and its alert could not be sent: platform-ops intake status lists the failed manifests, each execution's history says why the alert failed; fix the cause, then replay them. This alarm notifies the alerts topic too: if that topic is what failed, only the alarm's state shows it."
      namespace   = local.intake_unreported_failures.namespace
      metric_name = local.intake_unreported_failures.metric_name
      statistic   = "Sum"
      dimensions  = local.intake_unreported_failures.dimensions
      threshold   = 0
    }
    intake-oldest-message-age = {
      description = "The intake queue's oldest message is old: the manifest builder is not keeping up or is failing."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateAgeOfOldestMessage"
      statistic   = "Maximum"
      dimensions  = { QueueName = module.intake_queue.queue_name }
      threshold   = var.oldest_message_age_alarm_seconds
    }
  }
  dashboard_name = "${local.name_prefix}-pipeline"
  dashboard_widgets = [
    {
      title = "Intake queue", stat = "Maximum"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", module.intake_queue.queue_name],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", module.intake_queue.queue_name, { yAxis = "right" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", module.intake_queue.dead_letter_queue_name, { label = "dead-letter messages" }],
      ]
    },
  ]
  tags = local.tags
}

# What the stack's users need, as IAM policies to attach to their own roles: the buckets are SSE-KMS with
# the stack's key, so S3 permissions alone are not enough.
data "aws_iam_policy_document" "intake_uploader" {
  statement {
    sid       = "UploadInputFiles"
    actions   = ["s3:PutObject"]
    resources = ["${module.storage.bucket_arns["input"]}/${var.input_prefix}*"]
  }

  # Decrypt as well: multipart uploads (the CLI's default above 8 MB) read back the parts' data keys.
  statement {
    sid       = "EncryptWithTheStackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.kms.key_arn]
  }
}

data "aws_iam_policy_document" "intake_reader" {
  statement {
    sid       = "ListOutput"
    actions   = ["s3:ListBucket"]
    resources = [module.storage.bucket_arns["output"]]
  }

  statement {
    sid       = "ReadParquetAndRejects"
    actions   = ["s3:GetObject"]
    resources = ["${module.storage.bucket_arns["output"]}/*"]
  }

  statement {
    sid       = "DecryptWithTheStackKey"
    actions   = ["kms:Decrypt"]
    resources = [module.kms.key_arn]
  }
}

# The Parquet output as a Data Catalog table, queryable by Athena without a crawler: each Glue run registers
# its manifest's partition and adds its new fields as string columns (src/glue/ndjson_parquet/catalog.py).
# Partitions are registered, not projected: manifest ids cannot be enumerated.
resource "aws_glue_catalog_database" "intake" {
  name        = local.intake.catalog_database
  description = "${local.name_prefix}: the intake's Parquet output."
}

resource "aws_glue_catalog_table" "intake_parquet" {
  name          = local.intake.catalog_table
  database_name = aws_glue_catalog_database.intake.name
  description   = "NDJSON converted by the intake: a string column per field, partitioned by date_prefix and manifest_id."
  table_type    = "EXTERNAL_TABLE"
  parameters = {
    classification = "parquet"
    EXTERNAL       = "TRUE"
  }

  partition_keys {
    name = "date_prefix"
    type = "string"
  }

  partition_keys {
    name = "manifest_id"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${module.storage.bucket_names["output"]}/${var.output_prefix}"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    columns {
      name = "_processing_timestamp"
      type = "timestamp"
    }

    columns {
      name = "_source_file"
      type = "string"
    }
  }

  # The job adds a column per new field: an apply must not take them away again.
  lifecycle {
    ignore_changes = [storage_descriptor[0].columns]
  }
}
