output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "environment_variables" {
  description = "The function's environment as deployed: the caller's variables and the Powertools ones."
  value       = aws_lambda_function.this.environment[0].variables
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the SQS event source mapping (disable it to pause consumption), or null without one."
  value       = one(aws_lambda_event_source_mapping.sqs[*].uuid)
}

output "trigger_rule_names" {
  description = "Name of each EventBridge rule invoking the function, by key."
  value       = { for key, rule in aws_cloudwatch_event_rule.trigger : key => rule.name }
}
