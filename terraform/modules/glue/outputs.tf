output "job_name" {
  description = "Name of the job."
  value       = aws_glue_job.this.name
}

output "job_arn" {
  description = "ARN of the job."
  value       = aws_glue_job.this.arn
}

output "artifact_uris" {
  description = "S3 URI of each uploaded artifact (script, Python archives, jars), by file name."
  value       = local.artifact_uris
}

output "default_arguments" {
  description = "Default arguments of the job; each run adds its own."
  value       = aws_glue_job.this.default_arguments
}

output "log_group_name" {
  description = "Continuous log group of the job."
  value       = aws_cloudwatch_log_group.this.name
}
