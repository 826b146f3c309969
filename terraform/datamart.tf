# The datamart load: a request (a run request under config/runs/, a completed intake manifest, a bundle's
# schedule, the CLI) -> Step Functions: BuildProcessingPlan -> RunLoad (Glue, the engine) -> CheckResults ->
# FinalizePipeline, every state caught into HandleFailure. Bundles from config/bundles/ deployed to the config
# bucket by content. Switched by enable_datamart.

locals {
  datamart_enabled = var.enable_datamart ? toset(["this"]) : toset([])
  datamart = {
    state_machine_name = "${local.name_prefix}-datamart-workflow"
    glue_job_name      = "${local.name_prefix}-datamart-load"
    connection_name    = "${local.name_prefix}-datamart"
    runs_table_name    = "${local.name_prefix}-datamart-runs"
    notices_topic_name = "${local.name_prefix}-datamart-runs"
    artifacts_prefix   = "glue-datamart/"
    # The workflow's documents in the config bucket (src/lambda/datamart_workflow/layout.py).
    bundles_prefix = "bundles/"
    runs_prefix    = "datamart/runs/"
    requests_key   = "config/runs/"
  }
  # Function key => package (src/lambda/<package>), state, whether it reaches PostgreSQL.
  datamart_functions = {
    build-processing-plan = { package = "build_processing_plan", state = "BuildProcessingPlan", database = false }
    check-results         = { package = "check_results", state = "CheckResults", database = true }
    finalize-pipeline     = { package = "finalize_pipeline", state = "FinalizePipeline", database = true }
    handle-failure        = { package = "handle_failure", state = "HandleFailure", database = true }
  }
  datamart_function_names    = { for key, _ in local.datamart_functions : key => "${local.name_prefix}-dm-${key}" }
  datamart_state_machine_arn = "${format(local.arn_prefix, "states")}:stateMachine:${local.datamart.state_machine_name}"
  datamart_glue_job_arn      = "${format(local.arn_prefix, "glue")}:job/${local.datamart.glue_job_name}"
  datamart_runs_table_arn    = "${format(local.arn_prefix, "dynamodb")}:table/${local.datamart.runs_table_name}"
  datamart_notices_topic_arn = "${format(local.arn_prefix, "sns")}:${local.datamart.notices_topic_name}"
  datamart_config_bucket_arn = module.storage.bucket_arns["config"]
  datamart_secret_arn        = var.create_datamart_database ? aws_secretsmanager_secret.datamart["this"].arn : var.datamart_secret_arn

  # Bundles by content: the version is the hash of the bundle's files, computed as
  # datamart_workflow.bundles.version computes it, so a changed file is a new version.
  datamart_bundles_root = "${local.repo_root}/config/bundles"
  datamart_bundle_files = {
    for name in(var.enable_datamart ? var.datamart_bundles : []) : name => sort(fileset("${local.datamart_bundles_root}/${name}", "**"))
  }
  datamart_bundle_versions = {
    for name, files in local.datamart_bundle_files : name => substr(sha256(join("\n", [
      for file in files : "${file} ${filesha256("${local.datamart_bundles_root}/${name}/${file}")}"
    ])), 0, 16)
  }
  datamart_bundle_objects = merge([
    for name, files in local.datamart_bundle_files : {
      for file in files : "${name}/${file}" => { bundle = name, file = file }
    }
  ]...)

  datamart_function_environment = {
    CONFIG_BUCKET         = module.storage.bucket_names["config"]
    RUNS_TABLE            = local.datamart.runs_table_name
    INTAKE_BUCKET         = module.storage.bucket_names["output"]
    INTAKE_PARQUET_PREFIX = var.output_prefix
    DATAMART_SECRET_ARN   = local.datamart_secret_arn
    NOTIFY_TOPIC_ARN      = local.datamart_notices_topic_arn
    ALERTS_TOPIC_ARN      = local.alerts_topic_arn
    # Not used by the functions: where the operator CLI (platform-ops datamart) starts runs and replays.
    STATE_MACHINE_ARN = local.datamart_state_machine_arn
    LOG_LEVEL         = var.lambda_log_level
  }
  # What a function placed in the VPC needs for its network interfaces; the EC2 actions accept no
  # resource ARN, so the region condition scopes them.
  datamart_vpc_statement = {
    sid = "NetworkInterfaces"
    actions = [
      "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses",
    ]
    resources  = ["*"]
    conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = [data.aws_region.current.name] }]
  }
  datamart_read_secret = {
    sid       = "ReadDatamartSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.datamart_secret_arn]
  }
  datamart_read_runs_copy = {
    sid       = "ReadRunsBundleCopies"
    actions   = ["s3:GetObject"]
    resources = ["${local.datamart_config_bucket_arn}/${local.datamart.runs_prefix}*"]
  }
  datamart_list_config = {
    sid       = "ListConfigBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.datamart_config_bucket_arn]
  }
}

# --- run records -----------------------------------------------------------------------------------

module "datamart_runs_table" {
  source   = "./modules/dynamodb"
  for_each = local.datamart_enabled

  name                = local.datamart.runs_table_name
  hash_key            = "run_id"
  attributes          = { run_id = "S" }
  kms_key_arn         = module.kms.key_arn
  deletion_protection = !var.force_destroy
  tags                = local.tags
}

module "datamart_notices" {
  source   = "./modules/sns"
  for_each = local.datamart_enabled

  name            = local.datamart.notices_topic_name
  kms_key_arn     = module.kms.key_arn
  email_addresses = var.datamart_notice_email_addresses
  # FinalizePipeline publishes with its role; the topic's policy admits the stack's EventBridge rules
  # too, so a subscriber can add rules of their own.
  publishers = {
    EventRules = { service = "events.amazonaws.com" }
  }
  tags = local.tags
}

# --- bundles ---------------------------------------------------------------------------------------

# One object per file under bundles/<name>/<version>/. A changed file is a new version: every object of
# the bundle moves to new keys, created before the old ones are deleted, then the pointer below moves.
# Runs never read the deployed version after planning: BuildProcessingPlan copies the files under
# datamart/runs/<run_id>/bundle/, so a replay of a run planned with an older version still has all of it.
resource "aws_s3_object" "datamart_bundle_file" {
  for_each = local.datamart_bundle_objects

  bucket      = module.storage.bucket_names["config"]
  key         = "${local.datamart.bundles_prefix}${each.value.bundle}/${local.datamart_bundle_versions[each.value.bundle]}/${each.value.file}"
  source      = "${local.datamart_bundles_root}/${each.key}"
  source_hash = filemd5("${local.datamart_bundles_root}/${each.key}")
  tags        = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_s3_object" "datamart_bundle_pointer" {
  for_each = local.datamart_bundle_versions

  bucket       = module.storage.bucket_names["config"]
  key          = "${local.datamart.bundles_prefix}${each.key}/current.json"
  content      = jsonencode({ bundle = each.key, version = each.value })
  content_type = "application/json"
  tags         = local.tags

  # The pointer names a version only once all its files are there.
  depends_on = [aws_s3_object.datamart_bundle_file]
}

# --- database --------------------------------------------------------------------------------------

# Aurora Serverless v2 PostgreSQL, when the environment asks Terraform for the database; otherwise the
# secret of an existing one is an input. The password is generated, written once (write-only arguments),
# and never stored in the state.
ephemeral "aws_secretsmanager_random_password" "datamart" {
  count = var.create_datamart_database ? 1 : 0

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_db_subnet_group" "datamart" {
  for_each = var.create_datamart_database ? local.datamart_enabled : toset([])

  name       = "${local.name_prefix}-datamart"
  subnet_ids = var.datamart_network.subnet_ids
  tags       = local.tags
}

resource "aws_rds_cluster" "datamart" {
  # checkov:skip=CKV2_AWS_8: backups are Aurora's own (backup_retention_period); AWS Backup plans are the deploying organisation's
  # checkov:skip=CKV_AWS_139: deletion protection follows force_destroy: on wherever data is kept (prod), off in disposable environments
  # checkov:skip=CKV_AWS_133: backups are kept backup_retention_days (validated 1 to 35 days), a variable checkov does not resolve
  # checkov:skip=CKV2_AWS_27: query logging is a database parameter left to the organisation; the cluster exports its postgresql log
  for_each = var.create_datamart_database ? local.datamart_enabled : toset([])

  cluster_identifier                  = "${local.name_prefix}-datamart"
  engine                              = "aurora-postgresql"
  engine_mode                         = "provisioned"
  engine_version                      = var.datamart_database.engine_version
  database_name                       = var.datamart_database.database_name
  master_username                     = var.datamart_database.master_username
  master_password_wo                  = ephemeral.aws_secretsmanager_random_password.datamart[0].random_password
  master_password_wo_version          = 1
  db_subnet_group_name                = aws_db_subnet_group.datamart["this"].name
  vpc_security_group_ids              = var.datamart_network.security_group_ids
  storage_encrypted                   = true
  kms_key_id                          = module.kms.key_arn
  backup_retention_period             = var.datamart_database.backup_retention_days
  copy_tags_to_snapshot               = true
  deletion_protection                 = !var.force_destroy
  skip_final_snapshot                 = var.force_destroy
  final_snapshot_identifier           = var.force_destroy ? null : "${local.name_prefix}-datamart-final"
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  serverlessv2_scaling_configuration {
    min_capacity = var.datamart_database.min_capacity
    max_capacity = var.datamart_database.max_capacity
  }

  tags = local.tags
}

resource "aws_rds_cluster_instance" "datamart" {
  # checkov:skip=CKV_AWS_118: enhanced monitoring needs a monitoring role; Performance Insights and the exported log cover the workload
  for_each = var.create_datamart_database ? local.datamart_enabled : toset([])

  identifier                      = "${local.name_prefix}-datamart-1"
  cluster_identifier              = aws_rds_cluster.datamart["this"].id
  engine                          = aws_rds_cluster.datamart["this"].engine
  engine_version                  = aws_rds_cluster.datamart["this"].engine_version
  instance_class                  = "db.serverless"
  auto_minor_version_upgrade      = true
  performance_insights_enabled    = true
  performance_insights_kms_key_id = module.kms.key_arn
  tags                            = local.tags
}

resource "aws_secretsmanager_secret" "datamart" {
  # checkov:skip=CKV2_AWS_57: the password is Aurora's master password, written once by Terraform; rotating it needs a rotation Lambda in the VPC, which the organisation owns
  for_each = var.create_datamart_database ? local.datamart_enabled : toset([])

  name        = "${local.name_prefix}-datamart"
  description = "The datamart's connection (RDS layout: host, port, dbname, username, password), read by the datamart load job and workflow."
  kms_key_id  = module.kms.key_arn
  tags        = local.tags
}

resource "aws_secretsmanager_secret_version" "datamart" {
  for_each = var.create_datamart_database ? local.datamart_enabled : toset([])

  secret_id = aws_secretsmanager_secret.datamart["this"].id
  secret_string_wo = jsonencode({
    host     = aws_rds_cluster.datamart["this"].endpoint
    port     = aws_rds_cluster.datamart["this"].port
    dbname   = var.datamart_database.database_name
    username = var.datamart_database.master_username
    password = ephemeral.aws_secretsmanager_random_password.datamart[0].random_password
  })
  secret_string_wo_version = 1
}

# --- IAM -------------------------------------------------------------------------------------------

module "datamart_iam" {
  source   = "./modules/iam"
  for_each = local.datamart_enabled

  name_prefix = local.name_prefix
  roles = {
    build-processing-plan = {
      description              = "BuildProcessingPlan Lambda: reads the deployed bundles and run requests, writes plans and the runs' bundle copies, records runs."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.datamart_function_names["build-processing-plan"]}"
      data_key                 = { key_arn = module.kms.key_arn, encrypt = true }
      statements = [
        local.datamart_list_config,
        {
          sid     = "ReadBundlesAndRunRequests"
          actions = ["s3:GetObject"]
          resources = [
            "${local.datamart_config_bucket_arn}/${local.datamart.bundles_prefix}*",
            "${local.datamart_config_bucket_arn}/${local.datamart.requests_key}*",
          ]
        },
        {
          sid       = "WritePlans"
          actions   = ["s3:PutObject"]
          resources = ["${local.datamart_config_bucket_arn}/${local.datamart.runs_prefix}*"]
        },
        # Listing: the sources must exist before a run is planned.
        {
          sid       = "ListIntakeParquet"
          actions   = ["s3:ListBucket"]
          resources = [module.storage.bucket_arns["output"]]
        },
        {
          sid       = "RecordRuns"
          actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          resources = [local.datamart_runs_table_arn]
        },
      ]
    }
    check-results = {
      description              = "CheckResults Lambda: reads plans and the engine's ledger, runs the bundle's checks, records runs."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.datamart_function_names["check-results"]}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        local.datamart_vpc_statement, local.datamart_read_secret, local.datamart_list_config, local.datamart_read_runs_copy,
        {
          sid       = "RecordRuns"
          actions   = ["dynamodb:UpdateItem"]
          resources = [local.datamart_runs_table_arn]
        },
      ]
    }
    finalize-pipeline = {
      description              = "FinalizePipeline Lambda: the run's summary from PostgreSQL, recorded and published; staging cleanup."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.datamart_function_names["finalize-pipeline"]}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        local.datamart_vpc_statement, local.datamart_read_secret, local.datamart_list_config, local.datamart_read_runs_copy,
        {
          sid       = "RecordRuns"
          actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
          resources = [local.datamart_runs_table_arn]
        },
        {
          sid       = "PublishSummaries"
          actions   = ["sns:Publish"]
          resources = [local.datamart_notices_topic_arn]
        },
      ]
    }
    handle-failure = {
      description              = "HandleFailure Lambda: records the failure on the run, alerts, cleans up staging."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.datamart_function_names["handle-failure"]}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        local.datamart_vpc_statement, local.datamart_read_secret,
        {
          sid       = "RecordRuns"
          actions   = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
          resources = [local.datamart_runs_table_arn]
        },
        {
          sid       = "SendAlerts"
          actions   = ["sns:Publish"]
          resources = [local.alerts_topic_arn]
        },
      ]
    }
    dm-glue-job = {
      description = "Datamart load Glue job: reads plans, bundle copies and the intake's Parquet, reaches PostgreSQL through its connection."
      service     = "glue.amazonaws.com"
      data_key    = { key_arn = module.kms.key_arn, encrypt = true }
      statements = [
        {
          sid       = "ReadJobArtifacts"
          actions   = ["s3:GetObject"]
          resources = ["${module.storage.bucket_arns["artifacts"]}/${local.datamart.artifacts_prefix}*"]
        },
        {
          sid       = "ListSources"
          actions   = ["s3:ListBucket"]
          resources = [local.datamart_config_bucket_arn, module.storage.bucket_arns["output"]]
        },
        {
          sid       = "ReadPlansAndSources"
          actions   = ["s3:GetObject"]
          resources = ["${local.datamart_config_bucket_arn}/${local.datamart.runs_prefix}*", "${module.storage.bucket_arns["output"]}/*"]
        },
        local.datamart_read_secret,
        # What a job with a NETWORK connection does in the VPC; the EC2 actions accept no resource ARN.
        {
          sid = "JobNetwork"
          actions = [
            "ec2:CreateNetworkInterface", "ec2:CreateTags", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints",
            "ec2:DescribeRouteTables", "glue:GetConnection",
          ]
          resources  = ["*"]
          conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = [data.aws_region.current.name] }]
        },
        {
          sid       = "JobLogs"
          actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
          resources = ["${format(local.arn_prefix, "logs")}:log-group:/aws-glue/*"]
        },
      ]
    }
    dm-state-machine = {
      description         = "Datamart load state machine: invokes the workflow's functions, runs the datamart Glue job."
      service             = "states.amazonaws.com"
      vended_log_delivery = true
      data_key            = { key_arn = module.kms.key_arn }
      statements = [
        {
          sid       = "InvokeWorkflowFunctions"
          actions   = ["lambda:InvokeFunction"]
          resources = [for name in values(local.datamart_function_names) : "${format(local.arn_prefix, "lambda")}:function:${name}"]
        },
        {
          sid       = "RunGlueJob"
          actions   = ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
          resources = [local.datamart_glue_job_arn]
        },
      ]
    }
    dm-start-runs = {
      description = "EventBridge: starts datamart runs (run requests, completed intake manifests, bundle schedules)."
      service     = "events.amazonaws.com"
      statements = [
        {
          sid       = "StartDatamartRuns"
          actions   = ["states:StartExecution"]
          resources = [local.datamart_state_machine_arn]
        },
      ]
    }
  }
  tags = local.tags
}

# --- functions, job, state machine -----------------------------------------------------------------

module "datamart_function" {
  source   = "./modules/lambda"
  for_each = var.enable_datamart ? local.datamart_functions : {}

  function_name     = local.datamart_function_names[each.key]
  description       = "Datamart load workflow, state ${each.value.state} (src/lambda/${each.value.package})."
  package_path      = "${local.repo_lambda_packages}/${each.value.package}.zip"
  handler           = "${each.value.package}.handler.lambda_handler"
  role_arn          = module.datamart_iam["this"].role_arns[each.key]
  pipeline          = "datamart"
  metrics_namespace = local.name_prefix
  # The zips carry compiled libraries built for this runtime (scripts/build.py, LAMBDA_PLATFORM).
  runtime               = "python3.12"
  timeout_seconds       = each.value.database ? 300 : 60
  memory_mb             = 512
  reserved_concurrency  = 5
  environment_variables = local.datamart_function_environment
  vpc_config            = each.value.database ? { subnet_ids = var.datamart_network.subnet_ids, security_group_ids = var.datamart_network.security_group_ids } : null
  kms_key_arn           = module.kms.key_arn
  log_retention_days    = var.log_retention_days
  tags                  = local.tags
}

resource "aws_glue_connection" "datamart" {
  for_each = local.datamart_enabled

  name            = local.datamart.connection_name
  description     = "The datamart load job's network path to PostgreSQL."
  connection_type = "NETWORK"

  physical_connection_requirements {
    availability_zone      = var.datamart_network.availability_zone
    subnet_id              = var.datamart_network.subnet_ids[0]
    security_group_id_list = var.datamart_network.security_group_ids
  }

  tags = local.tags
}

module "datamart_glue_job" {
  source   = "./modules/glue"
  for_each = local.datamart_enabled

  job_name              = local.datamart.glue_job_name
  description           = "Loads a plan's sources into PostgreSQL and runs its SQL, each step exactly once per run."
  role_arn              = module.datamart_iam["this"].role_arns["dm-glue-job"]
  script_path           = "${local.repo_root}/src/glue/datamart_load_job.py"
  extra_python_files    = ["${local.repo_root}/build/glue/datamart_load.zip"]
  connections           = [aws_glue_connection.datamart["this"].name]
  artifacts_bucket_name = module.storage.bucket_names["artifacts"]
  artifacts_prefix      = local.datamart.artifacts_prefix
  kms_key_arn           = module.kms.key_arn
  arguments = {
    "--DATAMART_SECRET_ARN"             = local.datamart_secret_arn
    "--additional-python-modules"       = "psycopg[binary]>=3.2,<3.4"
    "--python-modules-installer-option" = "--only-binary=:all:"
  }
  worker_type       = var.datamart_glue_worker_type
  number_of_workers = var.datamart_glue_number_of_workers
  timeout_minutes   = var.datamart_glue_timeout_minutes
  # The router's Map starts up to router_max_concurrent_loads loads of a file at once: the job admits them.
  max_concurrent_runs = max(var.datamart_glue_max_concurrent_runs, var.enable_router ? var.router_max_concurrent_loads : 1)
  log_retention_days  = var.log_retention_days
  tags                = local.tags
}

module "datamart_state_machine" {
  source   = "./modules/step_functions"
  for_each = local.datamart_enabled

  name                     = local.datamart.state_machine_name
  role_arn                 = module.datamart_iam["this"].role_arns["dm-state-machine"]
  definition_template_path = "${local.repo_root}/asl/datamart_load.asl.json.tftpl"
  template_variables = {
    build_processing_plan_arn = module.datamart_function["build-processing-plan"].function_arn
    check_results_arn         = module.datamart_function["check-results"].function_arn
    finalize_pipeline_arn     = module.datamart_function["finalize-pipeline"].function_arn
    handle_failure_arn        = module.datamart_function["handle-failure"].function_arn
    glue_job_name             = module.datamart_glue_job["this"].job_name
    concurrency_retry         = var.glue_concurrency_retry
    bundle_lock_retry         = var.datamart_bundle_lock_retry
  }
  log_level          = var.state_machine_log_level
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

# --- how runs start --------------------------------------------------------------------------------

# UploadConfig writes run requests under config/runs/; their arrival starts a run. S3 keeps one
# notification configuration per bucket: the config bucket's is here, the only one it has.
resource "aws_s3_bucket_notification" "config" {
  for_each = local.datamart_enabled

  bucket      = module.storage.bucket_names["config"]
  eventbridge = true
}

locals {
  # Rule key => description, event pattern or schedule, and the execution's input (an input transformer).
  datamart_triggers = merge(
    {
      dm-run-requests = {
        description         = "A datamart run request written under config/runs/ starts its run."
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.s3"]
          "detail-type" = ["Object Created"]
          detail = {
            bucket = { name = [module.storage.bucket_names["config"]] }
            object = { key = [{ prefix = local.datamart.requests_key }] }
          }
        })
        input_paths    = tomap({ bucket = "$.detail.bucket.name", key = "$.detail.object.key" })
        input_template = "{\"run_request\": {\"bucket\": <bucket>, \"key\": <key>}}"
      }
    },
    # Chained after the intake: a manifest's processing that SUCCEEDED loads its Parquet. The execution's
    # name is the manifest id (manifest_builder), which names the Parquet's prefix and the date.
    var.datamart_chain_bundle == "" ? {} : {
      dm-after-intake = {
        description         = "A completed intake manifest is loaded into the datamart by bundle ${var.datamart_chain_bundle}."
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.states"]
          "detail-type" = ["Step Functions Execution Status Change"]
          detail        = { stateMachineArn = [local.intake_state_machine_arn], status = ["SUCCEEDED"] }
        })
        input_paths    = tomap({ manifest_id = "$.detail.name" })
        input_template = "{\"bundle\": \"${var.datamart_chain_bundle}\", \"manifest_ids\": [<manifest_id>]}"
      }
    },
    {
      for bundle, schedule in var.datamart_schedules : "dm-schedule-${bundle}" => {
        description         = "Loads the previous day into the datamart with bundle ${bundle}."
        schedule_expression = schedule
        event_pattern       = null
        input_paths         = tomap({ time = "$.time" })
        input_template      = "{\"bundle\": \"${bundle}\", \"scheduled_time\": <time>}"
      }
    },
  )
}

resource "aws_cloudwatch_event_rule" "datamart" {
  for_each = { for key, trigger in local.datamart_triggers : key => trigger if var.enable_datamart }

  name                = "${local.name_prefix}-${each.key}"
  description         = each.value.description
  schedule_expression = each.value.schedule_expression
  event_pattern       = each.value.event_pattern
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "datamart" {
  for_each = { for key, trigger in local.datamart_triggers : key => trigger if var.enable_datamart }

  rule      = aws_cloudwatch_event_rule.datamart[each.key].name
  target_id = "datamart-load"
  arn       = module.datamart_state_machine["this"].state_machine_arn
  role_arn  = module.datamart_iam["this"].role_arns["dm-start-runs"]

  input_transformer {
    input_paths    = each.value.input_paths
    input_template = each.value.input_template
  }
}

# --- monitoring ------------------------------------------------------------------------------------

module "datamart_monitoring" {
  source   = "./modules/monitoring"
  for_each = local.datamart_enabled

  name_prefix      = local.name_prefix
  alerts_topic_arn = module.alerts.topic_arn
  functions        = { for key, _ in local.datamart_functions : "dm-${key}" => module.datamart_function[key].function_name }
  # datamart-runs-failed and -timed-out: every failed run (HandleFailure alerts with its cause as well). Not
  # in state_machines_alerting_own_failures: a run can fail without that alert (HandleFailure's publish is
  # best effort, and a HandleFailure that fails goes straight to Fail).
  state_machines = { datamart-runs = module.datamart_state_machine["this"].state_machine_arn }
  alarms = {
    datamart-run-duration = {
      description = "A datamart run took longer than expected: a backlog, a slow source or a slow database."
      namespace   = "AWS/States"
      metric_name = "ExecutionTime"
      statistic   = "Maximum"
      dimensions  = { StateMachineArn = module.datamart_state_machine["this"].state_machine_arn }
      threshold   = var.datamart_run_duration_alarm_seconds * 1000
    }
  }
  dashboard_name = "${local.name_prefix}-datamart"
  dashboard_widgets = [
    {
      title = "Datamart runs", stat = "Sum"
      metrics = [
        ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", module.datamart_state_machine["this"].state_machine_arn],
        ["AWS/States", "ExecutionsFailed", "StateMachineArn", module.datamart_state_machine["this"].state_machine_arn],
      ]
    },
    {
      title = "Datamart run duration (ms)", stat = "Maximum"
      metrics = [
        ["AWS/States", "ExecutionTime", "StateMachineArn", module.datamart_state_machine["this"].state_machine_arn],
      ]
    },
    {
      title = "Datamart rows rejected", stat = "Sum"
      metrics = [
        [local.name_prefix, "RowsRejected", "pipeline", "datamart", "function", "finalize_pipeline"],
        [local.name_prefix, "RunChecksFailed", "pipeline", "datamart", "function", "check_results"],
      ]
    },
  ]
  tags = local.tags
}
