output "state_machine_arn" {
  description = "ARN of the manifest processing state machine."
  value       = aws_sfn_state_machine.manifest_processing.arn
}

output "state_machine_name" {
  description = "Name of the manifest processing state machine."
  value       = aws_sfn_state_machine.manifest_processing.name
}

output "definition" {
  description = "The rendered Amazon States Language definition."
  value       = aws_sfn_state_machine.manifest_processing.definition
}

output "log_group_name" {
  description = "CloudWatch log group of the executions."
  value       = aws_cloudwatch_log_group.executions.name
}
