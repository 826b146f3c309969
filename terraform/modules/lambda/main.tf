resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "manifest_builder" {
  # checkov:skip=CKV_AWS_50: X-Ray accepts no resource-scoped permissions; logs, alarms and the tracking table already trace each file
  # checkov:skip=CKV_AWS_116: failures are handled per message by the intake queue's redrive to its DLQ; the scheduled sweep simply runs again
  # checkov:skip=CKV_AWS_117: the function only calls AWS APIs; a VPC would add NAT or endpoints without protecting anything
  # checkov:skip=CKV_AWS_272: artifacts come from this repository's deterministic build; code signing is left to the deploying organisation
  function_name                  = var.function_name
  description                    = "Validates, tracks and batches NDJSON files into manifests and starts their processing."
  role                           = var.role_arn
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  handler                        = "manifest_builder.handler.lambda_handler"
  runtime                        = var.runtime
  timeout                        = var.timeout_seconds
  memory_size                    = var.memory_mb
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = var.environment_variables
  }

  tags = var.tags

  # Lambda writes to /aws/lambda/<name>; creating the group first gives it retention and encryption.
  depends_on = [aws_cloudwatch_log_group.function]
}

resource "aws_lambda_event_source_mapping" "intake_queue" {
  event_source_arn                   = var.intake_queue_arn
  function_name                      = aws_lambda_function.manifest_builder.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  # Only the failed messages of a batch return to the queue; the others are not redelivered.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }
}

# The orphan sweep: the same function, invoked on a schedule, flushes partial batches nobody else
# would complete (a quiet date partition) and recovers from expired locks.
resource "aws_cloudwatch_event_rule" "orphan_sweep" {
  name                = "${var.function_name}-orphan-sweep"
  description         = "Invokes the manifest builder to flush partial batches of quiet date partitions."
  schedule_expression = var.orphan_sweep_schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "orphan_sweep" {
  rule      = aws_cloudwatch_event_rule.orphan_sweep.name
  target_id = "manifest-builder"
  arn       = aws_lambda_function.manifest_builder.arn
}

resource "aws_lambda_permission" "orphan_sweep" {
  statement_id  = "AllowOrphanSweepSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.manifest_builder.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.orphan_sweep.arn
}
