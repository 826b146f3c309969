# The platform: a shared foundation (this file: the key, the buckets, the alerts topic) and one file
# per pipeline (intake.tf, router.tf, later datamart.tf), each composed of the building-block
# modules under modules/. Environments (environments/<name>/) call this module with values only.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  name_prefix = "${var.project_name}-${var.environment}"
  tags        = merge(var.tags, { Project = var.project_name, Environment = var.environment })
  repo_root   = "${path.module}/.."

  # Names are fixed here rather than read from the modules so that IAM can scope each role to
  # resources that do not exist yet, without a dependency cycle (role -> function -> role).
  alerts_topic_name = "${local.name_prefix}-alerts"
  arn_prefix = join(":", [
    "arn", data.aws_partition.current.partition, "%s", data.aws_region.current.name,
    data.aws_caller_identity.current.account_id,
  ])
  alerts_topic_arn = "${format(local.arn_prefix, "sns")}:${local.alerts_topic_name}"

  # One bucket per purpose: each gets its own policy, lifecycle and IAM scope, and an operator can
  # tell from the bucket alone what an object is.
  buckets = {
    input      = "Raw NDJSON files; new objects under the input prefix are announced to the intake queue."
    manifests  = "Manifests written by the manifest builder and read by the Glue job."
    output     = "Parquet output and rejected lines written by the Glue job."
    quarantine = "Copies of input files that failed validation, kept with their reason."
    artifacts  = "Glue script and library archive uploaded by Terraform."
    config     = "Versioned configs written by UploadConfig: the router's config/config.json, datamart run requests under config/runs/."
  }

  # Every role may use the stack's key for data keys only.
  data_key_actions = ["kms:Decrypt", "kms:GenerateDataKey"]

  repo_lambda_packages = "${local.repo_root}/build/lambda"

  # Each pipeline's monitoring rules that publish to the alerts topic.
  alerting_event_rule_arns = values(module.intake_monitoring.event_rule_arns)
}

module "kms" {
  source = "./modules/kms"

  alias       = "${local.name_prefix}-data"
  description = "${local.name_prefix}: data at rest of the NDJSON intake pipeline"
  # S3 notifications to the intake queue; alarms and event rules to the alerts topic.
  data_key_services = ["s3.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
  tags              = local.tags
}

module "storage" {
  source = "./modules/storage"

  name_prefix                       = local.name_prefix
  buckets                           = local.buckets
  kms_key_arn                       = module.kms.key_arn
  noncurrent_version_retention_days = var.noncurrent_version_retention_days
  access_log_retention_days         = var.log_retention_days
  force_destroy                     = var.force_destroy
  tags                              = local.tags
}

module "alerts" {
  source = "./modules/sns"

  name            = local.alerts_topic_name
  kms_key_arn     = module.kms.key_arn
  email_addresses = var.alert_email_addresses
  # Event rules publish only while a pipeline declares one (the intake reports failures through its
  # executions, with none).
  publishers = merge(
    { CloudWatchAlarms = { service = "cloudwatch.amazonaws.com" } },
    length(local.alerting_event_rule_arns) == 0 ? {} : {
      EventRules = { service = "events.amazonaws.com", source_arns = local.alerting_event_rule_arns }
    },
  )
  tags = local.tags
}

# S3 keeps one notification configuration per bucket, so every pipeline's subscription to the input
# bucket is declared here, in one resource.
resource "aws_s3_bucket_notification" "input" {
  bucket = module.storage.bucket_names["input"]
  # The file router's rule (router.tf) selects the events of its prefix from EventBridge.
  eventbridge = var.enable_router

  # Every object under the prefix is announced, whatever its extension: the manifest builder
  # quarantines what it cannot accept, so a wrong file is visible instead of silently ignored.
  queue {
    id            = "intake"
    queue_arn     = module.intake_queue.queue_arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.input_prefix == "" ? null : var.input_prefix
  }
}
