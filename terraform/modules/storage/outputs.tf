output "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the buckets, queues, topic, table and logs."
  value       = aws_kms_key.data.arn
}

output "bucket_names" {
  description = "Bucket name per purpose: input, manifests, output, quarantine, artifacts, access-logs."
  value       = merge({ for purpose, bucket in aws_s3_bucket.data : purpose => bucket.bucket }, { "access-logs" = aws_s3_bucket.access_logs.bucket })
}

output "bucket_arns" {
  description = "Bucket ARN per purpose: input, manifests, output, quarantine, artifacts, access-logs."
  value       = merge({ for purpose, bucket in aws_s3_bucket.data : purpose => bucket.arn }, { "access-logs" = aws_s3_bucket.access_logs.arn })
}

output "input_prefix" {
  description = "Key prefix of the input bucket announced to the intake queue."
  value       = var.input_prefix
}

output "intake_queue_arn" {
  description = "ARN of the SQS queue receiving the input bucket's object-created notifications."
  value       = aws_sqs_queue.intake.arn
}

output "intake_queue_url" {
  description = "URL of the intake queue."
  value       = aws_sqs_queue.intake.id
}

output "intake_queue_name" {
  description = "Name of the intake queue."
  value       = aws_sqs_queue.intake.name
}

output "dead_letter_queue_arn" {
  description = "ARN of the intake dead-letter queue."
  value       = aws_sqs_queue.intake_dead_letter.arn
}

output "dead_letter_queue_url" {
  description = "URL of the intake dead-letter queue."
  value       = aws_sqs_queue.intake_dead_letter.id
}

output "dead_letter_queue_name" {
  description = "Name of the intake dead-letter queue."
  value       = aws_sqs_queue.intake_dead_letter.name
}
