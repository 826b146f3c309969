# The alarms, alerting event rules and dashboard of one pipeline. Alarms and rules notify the alerts
# topic given by the caller.

data "aws_region" "current" {}

locals {
  # Two widgets per row, in the order given.
  widgets = [
    for index, widget in var.dashboard_widgets : {
      type = "metric", x = (index % 2) * 12, y = floor(index / 2) * 6, width = 12, height = 6
      properties = merge(
        { title = widget.title, region = data.aws_region.current.name, stat = widget.stat, period = try(widget.period, 300) },
        { metrics = widget.metrics },
      )
    }
  ]
}

# Service events that need an operator (e.g. a failed job run) go to the topic with their details;
# each rule also gives an alarm a metric (TriggeredRules) without granting anyone PutMetricData.
resource "aws_cloudwatch_event_rule" "alert" {
  for_each = var.event_alerts

  name          = "${var.name_prefix}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "alert" {
  for_each = aws_cloudwatch_event_rule.alert

  rule      = each.value.name
  target_id = "alerts-topic"
  arn       = var.alerts_topic_arn
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.alarms

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
  alarm_actions      = [var.alerts_topic_arn]
  ok_actions         = [var.alerts_topic_arn]
  tags               = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
