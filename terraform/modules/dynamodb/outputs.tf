output "table_name" {
  description = "Name of the tracking table."
  value       = aws_dynamodb_table.tracking.name
}

output "table_arn" {
  description = "ARN of the tracking table."
  value       = aws_dynamodb_table.tracking.arn
}
