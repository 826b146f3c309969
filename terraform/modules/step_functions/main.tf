# One Standard state machine, rendered from a template under asl/, with its execution log group.

# The /aws/vendedlogs/ prefix keeps Step Functions' log resource policy within its size limit.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  # checkov:skip=CKV_AWS_284: X-Ray accepts no resource-scoped permissions; execution logs and history already trace each execution
  name       = var.name
  role_arn   = var.role_arn
  type       = "STANDARD"
  definition = templatefile(var.definition_template_path, var.template_variables)

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = true
    level                  = var.log_level
  }

  tags = var.tags
}
