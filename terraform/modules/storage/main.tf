data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # One bucket per purpose: each gets its own policy, lifecycle and IAM scope, and an operator can
  # tell from the bucket alone what an object is. Account and region make the names globally unique.
  data_buckets = {
    input      = "Raw NDJSON files; new objects under the input prefix are announced to the intake queue."
    manifests  = "Manifests written by the manifest builder and read by the Glue job."
    output     = "Parquet output and rejected lines written by the Glue job."
    quarantine = "Copies of input files that failed validation, kept with their reason."
    artifacts  = "Glue script and library archive uploaded by Terraform."
  }
  intake_queue_name = "${var.name_prefix}-intake"
  # Built from the name so the queue's own policy can name it without a self-reference.
  intake_queue_arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.intake_queue_name}"

  bucket_names = {
    for purpose in concat(keys(local.data_buckets), ["access-logs"]) :
    purpose => "${var.name_prefix}-${purpose}-${local.account_id}-${local.region}"
  }
}

# --- customer-managed key ------------------------------------------------------------------------

data "aws_iam_policy_document" "key" {
  # checkov:skip=CKV_AWS_109: a key policy's Resource "*" means this key only; administration is delegated to the account's IAM
  # checkov:skip=CKV_AWS_111: a key policy's Resource "*" means this key only; service statements are limited to this account
  # checkov:skip=CKV_AWS_356: a key policy's Resource "*" means this key only
  # Administration stays with the account's IAM policies (who may manage keys is decided there), so
  # the key can never become unmanageable. Actions are listed because wildcards are not allowed.
  statement {
    sid       = "AccountAdministration"
    effect    = "Allow"
    resources = ["*"] # in a key policy "*" means this key
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListGrants",
      "kms:ListKeyPolicies",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:RetireGrant",
      "kms:RevokeGrant",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # S3 encrypts event notifications it sends to the SSE-KMS intake queue with this key.
  statement {
    sid       = "S3EventNotifications"
    effect    = "Allow"
    resources = ["*"]
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # CloudWatch alarms and the failed-Glue-run rule publish to the SSE-KMS alerts topic.
  statement {
    sid       = "AlarmsAndEventsToAlertsTopic"
    effect    = "Allow"
    resources = ["*"]
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # CloudWatch Logs encrypts this stack's log groups with the key.
  statement {
    sid       = "CloudWatchLogs"
    effect    = "Allow"
    resources = ["*"]
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "${var.name_prefix}: data at rest of the NDJSON intake pipeline"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name_prefix}-data"
  target_key_id = aws_kms_key.data.key_id
}

# --- buckets -------------------------------------------------------------------------------------

resource "aws_s3_bucket" "data" {
  # checkov:skip=CKV_AWS_144: cross-region replication is a disaster-recovery choice per deployment; versioning and PITR cover accidental loss
  # checkov:skip=CKV2_AWS_62: only the input bucket needs event notifications (configured below); the others are written by the pipeline itself
  # checkov cannot link for_each buckets to their for_each companions below, which set each of these; tests/terraform/test_apply_dev.py checks them on the deployed buckets:
  # checkov:skip=CKV2_AWS_6: public access block set by aws_s3_bucket_public_access_block.data
  # checkov:skip=CKV_AWS_21: versioning set by aws_s3_bucket_versioning.data
  # checkov:skip=CKV_AWS_145: SSE-KMS with the stack's key set by aws_s3_bucket_server_side_encryption_configuration.data
  # checkov:skip=CKV2_AWS_61: lifecycle set by aws_s3_bucket_lifecycle_configuration.data
  # checkov:skip=CKV_AWS_18: access logging set by aws_s3_bucket_logging.data
  for_each = local.data_buckets

  bucket        = local.bucket_names[each.key]
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Purpose = each.value })
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each = aws_s3_bucket.data

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.data]
}

data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.data

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  for_each = aws_s3_bucket.data

  bucket     = each.value.id
  policy     = data.aws_iam_policy_document.tls_only[each.key].json
  depends_on = [aws_s3_bucket_public_access_block.data]
}

resource "aws_s3_bucket_logging" "data" {
  for_each = aws_s3_bucket.data

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${each.key}/"
  # S3 checks that the target's policy lets the logging service write before accepting this.
  depends_on = [aws_s3_bucket_policy.access_logs]
}

# --- access-log bucket ---------------------------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  # checkov:skip=CKV_AWS_18: this is the access-log target itself; logging it into itself would loop
  # checkov:skip=CKV_AWS_144: access logs are not replicated; they are an audit aid, not pipeline data
  # checkov:skip=CKV_AWS_145: S3 server access logging only delivers to SSE-S3 buckets, not SSE-KMS
  # checkov:skip=CKV2_AWS_62: nothing consumes events of the access-log bucket
  bucket        = local.bucket_names["access-logs"]
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Purpose = "S3 server access logs of the pipeline's buckets." })
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.access_logs]
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

# --- intake queue --------------------------------------------------------------------------------

resource "aws_sqs_queue" "intake_dead_letter" {
  name                      = "${var.name_prefix}-intake-dlq"
  message_retention_seconds = var.dead_letter_retention_seconds
  kms_master_key_id         = aws_kms_key.data.arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "intake" {
  name                       = local.intake_queue_name
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  message_retention_seconds  = 345600
  kms_master_key_id          = aws_kms_key.data.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.intake_dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
  policy = data.aws_iam_policy_document.intake_queue.json
  tags   = var.tags
}

data "aws_iam_policy_document" "intake_queue" {
  statement {
    sid       = "InputBucketNotifications"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.intake_queue_arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.data["input"].arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_s3_bucket_notification" "input" {
  bucket = aws_s3_bucket.data["input"].id

  # Every object under the prefix is announced, whatever its extension: the manifest builder
  # quarantines what it cannot accept, so a wrong file is visible instead of silently ignored.
  queue {
    id            = "intake"
    queue_arn     = aws_sqs_queue.intake.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.input_prefix == "" ? null : var.input_prefix
  }

  # The queue carries its policy, so S3 may already send when the notification is validated.
  depends_on = [aws_sqs_queue.intake]
}
