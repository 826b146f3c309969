locals {
  definition = templatefile(var.definition_template_path, {
    tracking_table_name         = var.tracking_table_name
    glue_job_name               = var.glue_job_name
    alerts_topic_arn            = var.alerts_topic_arn
    glue_retry_interval_seconds = var.glue_retry_interval_seconds
  })
}

# The /aws/vendedlogs/ prefix keeps Step Functions' log resource policy within its size limit.
resource "aws_cloudwatch_log_group" "executions" {
  name              = "/aws/vendedlogs/states/${var.state_machine_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "manifest_processing" {
  # checkov:skip=CKV_AWS_284: X-Ray accepts no resource-scoped permissions; execution logs and history already trace each manifest
  name       = var.state_machine_name
  role_arn   = var.role_arn
  type       = "STANDARD"
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.executions.arn}:*"
    include_execution_data = true
    level                  = var.log_level
  }

  tags = var.tags
}
