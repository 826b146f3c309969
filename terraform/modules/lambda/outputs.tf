output "function_name" {
  description = "Name of the manifest builder function."
  value       = aws_lambda_function.manifest_builder.function_name
}

output "function_arn" {
  description = "ARN of the manifest builder function."
  value       = aws_lambda_function.manifest_builder.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.function.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the intake queue event source mapping (disable it to pause intake)."
  value       = aws_lambda_event_source_mapping.intake_queue.uuid
}

output "orphan_sweep_rule_name" {
  description = "Name of the EventBridge rule scheduling the orphan sweep."
  value       = aws_cloudwatch_event_rule.orphan_sweep.name
}
