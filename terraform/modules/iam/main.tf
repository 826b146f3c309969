# One role per component. Every action is named (no wildcards) and every resource is an ARN of this
# stack, except the CloudWatch Logs delivery calls Step Functions needs, which AWS only authorises on
# Resource "*".

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  state_machine_arn    = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${var.state_machine_name}"
  glue_job_arn         = "arn:${local.partition}:glue:${local.region}:${local.account_id}:job/${var.glue_job_name}"
  lambda_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.lambda_function_name}"
  # Glue names its log groups itself (/aws-glue/jobs/..., suffixed with the security configuration).
  glue_log_groups_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"

  data_key_actions = ["kms:Decrypt", "kms:GenerateDataKey"]
}

# --- manifest builder (Lambda) -------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "manifest_builder" {
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.lambda_log_group_arn}:*"]
  }

  statement {
    sid = "ConsumeIntakeQueue"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]
    resources = [var.intake_queue_arn]
  }

  # ListBucket makes a missing object answer 404 instead of 403, so the builder can tell "gone" from "denied".
  statement {
    sid       = "ListInputAndManifests"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arns["input"], var.bucket_arns["manifests"]]
  }

  statement {
    sid       = "ReadInputFiles"
    actions   = ["s3:GetObject", "s3:GetObjectTagging"]
    resources = ["${var.bucket_arns["input"]}/*"]
  }

  statement {
    sid       = "WriteManifests"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arns["manifests"]}/${var.manifest_prefix}*"]
  }

  statement {
    sid       = "QuarantineFiles"
    actions   = ["s3:PutObject", "s3:PutObjectTagging"]
    resources = ["${var.bucket_arns["quarantine"]}/*"]
  }

  statement {
    sid = "TrackFiles"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]
    resources = [var.tracking_table_arn]
  }

  statement {
    sid       = "StartManifestProcessing"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "PublishNotices"
    actions   = ["sns:Publish"]
    resources = [var.alerts_topic_arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = local.data_key_actions
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role" "manifest_builder" {
  name               = "${var.name_prefix}-manifest-builder"
  description        = "Manifest builder Lambda: consumes the intake queue, tracks files, writes manifests."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "manifest_builder" {
  name   = "manifest-builder"
  role   = aws_iam_role.manifest_builder.id
  policy = data.aws_iam_policy_document.manifest_builder.json
}

# --- Glue job ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "glue_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "glue_job" {
  statement {
    sid       = "ReadJobArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["artifacts"]}/${var.glue_artifacts_prefix}*"]
  }

  statement {
    sid       = "ReadManifests"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["manifests"]}/${var.manifest_prefix}*"]
  }

  statement {
    sid       = "ReadInputFiles"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["input"]}/*"]
  }

  statement {
    sid       = "ListInputAndOutput"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arns["input"], var.bucket_arns["output"]]
  }

  # Delete: a re-run of a manifest replaces that manifest's earlier output instead of duplicating it.
  statement {
    sid       = "WriteParquetAndRejects"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arns["output"]}/*"]
  }

  statement {
    sid       = "JobLogs"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.glue_log_groups_arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = concat(local.data_key_actions, ["kms:Encrypt"])
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role" "glue_job" {
  name               = "${var.name_prefix}-glue-job"
  description        = "NDJSON to Parquet Glue job: reads manifests and input, writes Parquet and rejects."
  assume_role_policy = data.aws_iam_policy_document.glue_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "glue_job" {
  name   = "glue-job"
  role   = aws_iam_role.glue_job.id
  policy = data.aws_iam_policy_document.glue_job.json
}

# --- state machine -------------------------------------------------------------------------------

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "state_machine" {
  # checkov:skip=CKV_AWS_109: only the ExecutionLogDelivery statement is on "*": CloudWatch Logs vended delivery accepts no other resource
  # checkov:skip=CKV_AWS_111: only the ExecutionLogDelivery statement is on "*": CloudWatch Logs vended delivery accepts no other resource
  # checkov:skip=CKV_AWS_356: only the ExecutionLogDelivery statement is on "*": CloudWatch Logs vended delivery accepts no other resource
  statement {
    sid       = "UpdateManifestStatus"
    actions   = ["dynamodb:UpdateItem"]
    resources = [var.tracking_table_arn]
  }

  # What `glue:startJobRun.sync` calls: start, poll until terminal, stop on execution abort.
  statement {
    sid       = "RunGlueJob"
    actions   = ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
    resources = [local.glue_job_arn]
  }

  statement {
    sid       = "SendFailureAlert"
    actions   = ["sns:Publish"]
    resources = [var.alerts_topic_arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = local.data_key_actions
    resources = [var.kms_key_arn]
  }

  # Execution logging goes through CloudWatch Logs "vended log" delivery, whose calls AWS only
  # authorises on Resource "*" (Step Functions developer guide, "IAM policies for logging").
  statement {
    sid = "ExecutionLogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name_prefix}-state-machine"
  description        = "Manifest processing state machine: status updates, Glue job runs, failure alerts."
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "state-machine"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}
