# The alarms, alerting event rules and dashboard of one pipeline. Alarms and rules notify the alerts
# topic given by the caller.

data "aws_region" "current" {}

locals {
  # The alarms every function, state machine and dead-letter queue of a pipeline needs, named
  # `<key>-<condition>`, then the pipeline's own.
  alarms = merge(
    merge([
      for key, name in var.functions : {
        "${key}-errors" = {
          description = "${key} failed invocations; its log group /aws/lambda/${name} says why."
          namespace   = "AWS/Lambda", metric_name = "Errors", statistic = "Sum"
          dimensions  = { FunctionName = name }, threshold = 0
        }
        "${key}-throttles" = {
          description = "${key} was throttled; raise its reserved concurrency or lower what invokes it."
          namespace   = "AWS/Lambda", metric_name = "Throttles", statistic = "Sum"
          dimensions  = { FunctionName = name }, threshold = 0
        }
      }
    ]...),
    # A state machine whose executions alert their own failures gets no `-failed` alarm: it would send each
    # failure a second time. A timed-out execution reports nothing, so every state machine keeps that one.
    {
      for key, arn in var.state_machines : "${key}-failed" => {
        description = "An execution of ${arn} failed; its input names what to replay once the cause is fixed."
        namespace   = "AWS/States", metric_name = "ExecutionsFailed", statistic = "Sum"
        dimensions  = { StateMachineArn = arn }, threshold = 0
      } if !contains(var.state_machines_alerting_own_failures, key)
    },
    {
      for key, arn in var.state_machines : "${key}-timed-out" => {
        description = "An execution of ${arn} timed out; reset what it was processing and replay it."
        namespace   = "AWS/States", metric_name = "ExecutionsTimedOut", statistic = "Sum"
        dimensions  = { StateMachineArn = arn }, threshold = 0
      }
    },
    {
      for key, name in var.dead_letter_queues : "${key}-messages" => {
        description = "Messages reached the dead-letter queue ${name}: inspect them, fix the cause, then redrive the queue."
        namespace   = "AWS/SQS", metric_name = "ApproximateNumberOfMessagesVisible", statistic = "Maximum"
        dimensions  = { QueueName = name }, threshold = 0
      }
    },
    var.alarms,
  )

  # A widget per function and per state machine, then the pipeline's own; two per row.
  standard_widgets = concat(
    [
      for key, name in var.functions : {
        title = "Lambda: ${key}", stat = "Sum"
        metrics = [
          for metric in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", metric, "FunctionName", name]
        ]
      }
    ],
    [
      for key, arn in var.state_machines : {
        title = "Step Functions: ${key}", stat = "Sum"
        metrics = [
          for metric in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"] :
          ["AWS/States", metric, "StateMachineArn", arn]
        ]
      }
    ],
  )
  widgets = [
    for index, widget in concat(local.standard_widgets, var.dashboard_widgets) : {
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
  alarm_actions      = [var.alerts_topic_arn]
  ok_actions         = [var.alerts_topic_arn]
  tags               = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
