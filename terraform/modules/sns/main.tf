# One SNS topic, SSE-KMS, with the AWS services allowed to publish to it and its e-mail subscriptions.

data "aws_caller_identity" "current" {}

resource "aws_sns_topic" "this" {
  name              = var.name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  dynamic "statement" {
    for_each = var.publishers

    content {
      sid       = statement.key
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this.arn]
      principals {
        type        = "Service"
        identifiers = [statement.value.service]
      }
      # A publisher named by its sources may publish from those only; otherwise from this account.
      condition {
        test     = statement.value.source_arns == null ? "StringEquals" : "ArnEquals"
        variable = statement.value.source_arns == null ? "aws:SourceAccount" : "aws:SourceArn"
        values   = coalesce(statement.value.source_arns, [data.aws_caller_identity.current.account_id])
      }
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

# Each address receives a confirmation mail; nothing is delivered to it until it confirms.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_addresses)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}
