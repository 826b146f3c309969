output "bucket_names" {
  description = "Bucket name per purpose, `access-logs` included."
  value       = merge({ for purpose, bucket in aws_s3_bucket.data : purpose => bucket.bucket }, { "access-logs" = aws_s3_bucket.access_logs.bucket })
}

output "bucket_arns" {
  description = "Bucket ARN per purpose, `access-logs` included."
  value       = merge({ for purpose, bucket in aws_s3_bucket.data : purpose => bucket.arn }, { "access-logs" = aws_s3_bucket.access_logs.arn })
}
