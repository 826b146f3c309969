# The utilities our users call by hand, from CI and from state machines: DownloadZip (stream an S3 prefix
# of the stack's buckets into a ZIP under the output bucket's exports/) and UploadConfig (validated,
# versioned config uploads into the config bucket). Switched by enable_utilities.

locals {
  utilities = {
    download_zip_name  = "${local.name_prefix}-download-zip"
    upload_config_name = "${local.name_prefix}-upload-config"
    # What DownloadZip may read, and where it writes its archives.
    zip_sources     = [for purpose in ["input", "output", "quarantine"] : module.storage.bucket_arns[purpose]]
    zip_destination = "${module.storage.bucket_arns["output"]}/exports/*"
    config_bucket   = module.storage.bucket_arns["config"]
  }
  utilities_enabled = var.enable_utilities ? toset(["this"]) : toset([])
}

module "utilities_iam" {
  source   = "./modules/iam"
  for_each = local.utilities_enabled

  name_prefix = local.name_prefix
  roles = {
    download-zip = {
      description              = "DownloadZip Lambda: reads a prefix of the stack's buckets, writes its ZIP under exports/."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.utilities.download_zip_name}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        {
          sid       = "ListSources"
          actions   = ["s3:ListBucket"]
          resources = local.utilities.zip_sources
        },
        {
          sid       = "ReadSources"
          actions   = ["s3:GetObject"]
          resources = [for arn in local.utilities.zip_sources : "${arn}/*"]
        },
        # PutObject covers creating, uploading and completing the multipart upload; a failed run aborts it.
        {
          sid       = "WriteArchives"
          actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
          resources = [local.utilities.zip_destination]
        },
      ]
    }
    upload-config = {
      description              = "UploadConfig Lambda: validates configs and writes them as new versions in the config bucket."
      service                  = "lambda.amazonaws.com"
      source_account_condition = false
      log_group_arn            = "${format(local.arn_prefix, "logs")}:log-group:/aws/lambda/${local.utilities.upload_config_name}"
      data_key                 = { key_arn = module.kms.key_arn }
      statements = [
        # ListBucket makes a missing config answer 404 (absent) instead of 403; versioning must be on.
        {
          sid       = "InspectConfigBucket"
          actions   = ["s3:GetBucketVersioning", "s3:ListBucket"]
          resources = [local.utilities.config_bucket]
        },
        {
          sid       = "ReadAndWriteConfigs"
          actions   = ["s3:GetObject", "s3:PutObject"]
          resources = ["${local.utilities.config_bucket}/config/config.json", "${local.utilities.config_bucket}/config/runs/*"]
        },
      ]
    }
  }
  tags = local.tags
}

module "utilities_download_zip" {
  source   = "./modules/lambda"
  for_each = local.utilities_enabled

  function_name     = local.utilities.download_zip_name
  description       = "Streams an S3 prefix into a ZIP on S3, with a MANIFEST.json of each member's size, ETag and CRC-32."
  package_path      = "${local.repo_lambda_packages}/download_zip.zip"
  handler           = "download_zip.handler.lambda_handler"
  role_arn          = module.utilities_iam["this"].role_arns["download-zip"]
  pipeline          = "utilities"
  metrics_namespace = local.name_prefix
  runtime           = "python3.12"
  # A whole vCPU and Lambda's longest run: about 15 GiB per invocation (src/lambda/download_zip/README.md).
  timeout_seconds       = 900
  memory_mb             = 1769
  reserved_concurrency  = 2
  environment_variables = {}
  kms_key_arn           = module.kms.key_arn
  log_retention_days    = var.log_retention_days
  tags                  = local.tags
}

module "utilities_upload_config" {
  source   = "./modules/lambda"
  for_each = local.utilities_enabled

  function_name     = local.utilities.upload_config_name
  description       = "Validates a router config or datamart run request against its schema and writes it as a new version."
  package_path      = "${local.repo_lambda_packages}/upload_config.zip"
  handler           = "upload_config.handler.lambda_handler"
  role_arn          = module.utilities_iam["this"].role_arns["upload-config"]
  pipeline          = "utilities"
  metrics_namespace = local.name_prefix
  # The zip carries compiled libraries built for this runtime (scripts/build.py, LAMBDA_PLATFORM).
  runtime              = "python3.12"
  timeout_seconds      = 60
  memory_mb            = 256
  reserved_concurrency = 2
  environment_variables = {
    CONFIG_BUCKET = module.storage.bucket_names["config"]
    # The same list the router checks job names against (router.tf): an upload it would refuse is refused.
    DEPLOYED_LOAD_JOBS = join(",", var.router_load_jobs)
  }
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

module "utilities_monitoring" {
  source   = "./modules/monitoring"
  for_each = local.utilities_enabled

  name_prefix      = local.name_prefix
  alerts_topic_arn = module.alerts.topic_arn
  functions = {
    download-zip  = module.utilities_download_zip["this"].function_name
    upload-config = module.utilities_upload_config["this"].function_name
  }
  dashboard_name    = "${local.name_prefix}-utilities"
  dashboard_widgets = []
  tags              = local.tags
}
