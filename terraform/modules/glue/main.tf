# One Glue 5.0 Spark job: its entry point script, Python libraries (--extra-py-files) and jars
# (--extra-jars) uploaded under the artifacts prefix, an encrypting security configuration and its
# continuous log group.

locals {
  # Keyed by file name: the S3 key is the prefix plus the file name, so two artifacts of one job
  # never share a key.
  artifacts = merge(
    { (basename(var.script_path)) = var.script_path },
    { for path in var.extra_python_files : basename(path) => path },
    { for path in var.extra_jars : basename(path) => path },
  )
  artifact_uris = { for name, object in aws_s3_object.artifact : name => "s3://${object.bucket}/${object.key}" }

  library_arguments = merge(
    length(var.extra_python_files) == 0 ? {} : {
      "--extra-py-files" = join(",", [for path in var.extra_python_files : local.artifact_uris[basename(path)]])
    },
    length(var.extra_jars) == 0 ? {} : {
      "--extra-jars" = join(",", [for path in var.extra_jars : local.artifact_uris[basename(path)]])
    },
  )
}

resource "aws_s3_object" "artifact" {
  for_each = local.artifacts

  bucket      = var.artifacts_bucket_name
  key         = "${var.artifacts_prefix}${each.key}"
  source      = each.value
  source_hash = filemd5(each.value)
  tags        = var.tags
}

resource "aws_glue_security_configuration" "this" {
  name = var.job_name

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws-glue/jobs/${var.job_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_glue_job" "this" {
  name                   = var.job_name
  description            = var.description
  role_arn               = var.role_arn
  glue_version           = "5.0"
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  security_configuration = aws_glue_security_configuration.this.name
  connections            = var.connections
  # AWS reports STANDARD when unset; stating it keeps plans free of drift.
  execution_class = "STANDARD"
  # Retries belong to the state machine, which knows the run's input and records every attempt.
  max_retries = 0

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = local.artifact_uris[basename(var.script_path)]
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }

  default_arguments = merge(
    {
      "--job-language"                     = "python"
      "--enable-continuous-cloudwatch-log" = "true"
      "--continuous-log-logGroup"          = aws_cloudwatch_log_group.this.name
    },
    local.library_arguments,
    var.arguments,
  )

  tags = var.tags
}
