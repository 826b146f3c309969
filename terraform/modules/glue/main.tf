locals {
  # What the job runs, uploaded under the artifacts prefix: its script, its Python library
  # (--extra-py-files) and its line parser, a Java UDF (--extra-jars).
  artifacts = {
    script      = { key = "${var.artifacts_prefix}ndjson_to_parquet.py", source = var.script_path }
    library     = { key = "${var.artifacts_prefix}ndjson_parquet.zip", source = var.library_path }
    line_parser = { key = "${var.artifacts_prefix}ndjson_line_parser.jar", source = var.line_parser_jar_path }
  }
  artifact_uris = { for name, object in aws_s3_object.artifact : name => "s3://${object.bucket}/${object.key}" }
}

resource "aws_s3_object" "artifact" {
  for_each = local.artifacts

  bucket      = var.artifacts_bucket_name
  key         = each.value.key
  source      = each.value.source
  source_hash = filemd5(each.value.source)
  tags        = var.tags
}

moved {
  from = aws_s3_object.script
  to   = aws_s3_object.artifact["script"]
}

moved {
  from = aws_s3_object.library
  to   = aws_s3_object.artifact["library"]
}

moved {
  from = aws_s3_object.line_parser
  to   = aws_s3_object.artifact["line_parser"]
}

resource "aws_glue_security_configuration" "job" {
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

resource "aws_cloudwatch_log_group" "job" {
  name              = "/aws-glue/jobs/${var.job_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_glue_job" "ndjson_to_parquet" {
  name                   = var.job_name
  description            = "Converts the NDJSON files listed in a manifest to Parquet; malformed lines go to rejects."
  role_arn               = var.role_arn
  glue_version           = "5.0"
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  security_configuration = aws_glue_security_configuration.job.name
  # AWS reports STANDARD when unset; stating it keeps plans free of drift.
  execution_class = "STANDARD"
  # Retries belong to the state machine, which knows the manifest and records every attempt.
  max_retries = 0

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = local.artifact_uris["script"]
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }

  default_arguments = merge(
    {
      "--job-language"                     = "python"
      "--extra-py-files"                   = local.artifact_uris["library"]
      "--extra-jars"                       = local.artifact_uris["line_parser"]
      "--enable-continuous-cloudwatch-log" = "true"
      "--continuous-log-logGroup"          = aws_cloudwatch_log_group.job.name
      "--MANIFEST_BUCKET"                  = var.manifest_bucket_name
      "--OUTPUT_BUCKET"                    = var.output_bucket_name
      "--OUTPUT_PREFIX"                    = var.output_prefix
      "--REJECTS_PREFIX"                   = var.rejects_prefix
      "--COMPRESSION_TYPE"                 = var.compression_type
      "--MAX_REJECT_RATIO"                 = tostring(var.max_reject_ratio)
      "--TARGET_FILE_SIZE_MB"              = tostring(var.target_file_size_mb)
    },
    var.extra_arguments,
  )

  tags = var.tags
}
