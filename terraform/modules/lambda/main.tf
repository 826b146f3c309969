# One Python function from a zip built by scripts/build.py, with its log group and, as the caller
# asks, VPC placement, an SQS event source and EventBridge triggers (schedules or event patterns).

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_50: X-Ray accepts no resource-scoped permissions; logs, metrics and the pipelines' state tables trace each item
  # checkov:skip=CKV_AWS_116: asynchronous failures are handled by the caller's design: SQS redrive to a DLQ, EventBridge target DLQs, or a schedule that runs again
  # checkov:skip=CKV_AWS_117: VPC placement is an input (vpc_config), set for functions that reach private resources; the others only call AWS APIs
  # checkov:skip=CKV_AWS_272: artifacts come from this repository's deterministic build; code signing is left to the deploying organisation
  function_name                  = var.function_name
  description                    = var.description
  role                           = var.role_arn
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  handler                        = var.handler
  runtime                        = var.runtime
  timeout                        = var.timeout_seconds
  memory_size                    = var.memory_mb
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    # Every log line and metric names its pipeline; metrics go to the stack's namespace (platform_common).
    variables = merge(var.environment_variables, {
      POWERTOOLS_SERVICE_NAME      = var.pipeline
      POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    })
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]

    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.tags

  # Lambda writes to /aws/lambda/<name>; creating the group first gives it retention and encryption.
  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_lambda_event_source_mapping" "sqs" {
  count = var.sqs_event_source == null ? 0 : 1

  event_source_arn                   = var.sqs_event_source.queue_arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.sqs_event_source.batch_size
  maximum_batching_window_in_seconds = var.sqs_event_source.batching_window_seconds
  # Only the failed messages of a batch return to the queue; the others are not redelivered.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_event_source.maximum_concurrency
  }
}

resource "aws_cloudwatch_event_rule" "trigger" {
  for_each = var.triggers

  name                = "${var.function_name}-${each.key}"
  description         = each.value.description
  schedule_expression = each.value.schedule_expression
  event_pattern       = each.value.event_pattern
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "trigger" {
  for_each = var.triggers

  rule      = aws_cloudwatch_event_rule.trigger[each.key].name
  target_id = coalesce(each.value.target_id, "function")
  arn       = aws_lambda_function.this.arn
  input     = each.value.input

  dynamic "dead_letter_config" {
    for_each = each.value.dead_letter_queue_arn == null ? [] : [each.value.dead_letter_queue_arn]

    content {
      arn = dead_letter_config.value
    }
  }

  dynamic "retry_policy" {
    for_each = each.value.event_pattern == null ? [] : [each.value]

    content {
      maximum_event_age_in_seconds = retry_policy.value.maximum_event_age_seconds
      maximum_retry_attempts       = retry_policy.value.maximum_retry_attempts
    }
  }
}

resource "aws_lambda_permission" "trigger" {
  for_each = var.triggers

  statement_id  = coalesce(each.value.statement_id, "AllowEventBridge-${each.key}")
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.trigger[each.key].arn
}
