data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name

  # Every alarm fires on the first bad period: each of these means a file or manifest needs attention.
  alarms = {
    dead-letter-messages = {
      description = "Intake messages reached the dead-letter queue: their files are not tracked. Inspect, fix, then redrive the DLQ."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = { QueueName = var.dead_letter_queue_name }
      threshold   = 0
    }
    intake-oldest-message-age = {
      description = "The intake queue's oldest message is old: the manifest builder is not keeping up or is failing."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateAgeOfOldestMessage"
      statistic   = "Maximum"
      dimensions  = { QueueName = var.intake_queue_name }
      threshold   = var.oldest_message_age_threshold_seconds
    }
    manifest-builder-errors = {
      description = "The manifest builder failed invocations; see its log group."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      statistic   = "Sum"
      dimensions  = { FunctionName = var.lambda_function_name }
      threshold   = 0
    }
    manifest-builder-throttles = {
      description = "The manifest builder was throttled; raise its reserved concurrency or lower the queue's maximum concurrency."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      statistic   = "Sum"
      dimensions  = { FunctionName = var.lambda_function_name }
      threshold   = 0
    }
    executions-failed = {
      description = "A manifest processing execution failed; its manifest is marked failed. Replay it after fixing the cause."
      namespace   = "AWS/States"
      metric_name = "ExecutionsFailed"
      statistic   = "Sum"
      dimensions  = { StateMachineArn = var.state_machine_arn }
      threshold   = 0
    }
    executions-timed-out = {
      description = "A manifest processing execution timed out; its manifest stays processing. Reset and replay it."
      namespace   = "AWS/States"
      metric_name = "ExecutionsTimedOut"
      statistic   = "Sum"
      dimensions  = { StateMachineArn = var.state_machine_arn }
      threshold   = 0
    }
    glue-job-runs-failed = {
      description = "A Glue run of the NDJSON to Parquet job failed, errored, timed out or was stopped."
      namespace   = "AWS/Events"
      metric_name = "TriggeredRules"
      statistic   = "Sum"
      dimensions  = { RuleName = aws_cloudwatch_event_rule.glue_job_failed.name }
      threshold   = 0
    }
  }
}

resource "aws_sns_topic" "alerts" {
  name              = var.alerts_topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "GlueJobFailedRule"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.glue_job_failed.arn]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_email_addresses)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# Glue reports run outcomes as events; the rule both alerts with the run's details and gives the
# alarm below a metric (TriggeredRules) without granting the job cloudwatch:PutMetricData on "*".
resource "aws_cloudwatch_event_rule" "glue_job_failed" {
  name        = "${var.name_prefix}-glue-job-failed"
  description = "Runs of the NDJSON to Parquet job that ended FAILED, ERROR, TIMEOUT or STOPPED."
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      jobName = [var.glue_job_name]
      state   = ["FAILED", "ERROR", "TIMEOUT", "STOPPED"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "glue_job_failed" {
  rule      = aws_cloudwatch_event_rule.glue_job_failed.name
  target_id = "alerts-topic"
  arn       = aws_sns_topic.alerts.arn
}

resource "aws_cloudwatch_metric_alarm" "pipeline" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  dimensions          = each.value.dimensions
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  # No data means nothing happened (no messages, no invocations), which is healthy.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.alerts.arn]
  ok_actions         = [aws_sns_topic.alerts.arn]
  tags               = var.tags
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = "${var.name_prefix}-pipeline"
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "Intake queue", region = local.region, stat = "Maximum", period = 300
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.intake_queue_name],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.intake_queue_name, { yAxis = "right" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dead_letter_queue_name, { label = "dead-letter messages" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "Manifest builder", region = local.region, stat = "Sum", period = 300
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "Errors", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "Throttles", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "Duration", "FunctionName", var.lambda_function_name, { stat = "p95", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title = "Manifest executions", region = local.region, stat = "Sum", period = 300
          metrics = [
            ["AWS/States", "ExecutionsStarted", "StateMachineArn", var.state_machine_arn],
            ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", var.state_machine_arn],
            ["AWS/States", "ExecutionsFailed", "StateMachineArn", var.state_machine_arn],
            ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", var.state_machine_arn],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title = "Failed Glue runs", region = local.region, stat = "Sum", period = 300
          metrics = [
            ["AWS/Events", "TriggeredRules", "RuleName", aws_cloudwatch_event_rule.glue_job_failed.name],
          ]
        }
      },
    ]
  })
}
