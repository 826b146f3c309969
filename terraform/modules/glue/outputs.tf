output "job_name" {
  description = "Name of the Glue job."
  value       = aws_glue_job.ndjson_to_parquet.name
}

output "job_arn" {
  description = "ARN of the Glue job."
  value       = aws_glue_job.ndjson_to_parquet.arn
}

output "script_location" {
  description = "S3 URI of the uploaded entry point script."
  value       = aws_glue_job.ndjson_to_parquet.command[0].script_location
}

output "library_location" {
  description = "S3 URI of the uploaded library archive (--extra-py-files)."
  value       = "s3://${var.artifacts_bucket_name}/${aws_s3_object.library.key}"
}

output "line_parser_location" {
  description = "S3 URI of the uploaded line parser jar (--extra-jars)."
  value       = "s3://${var.artifacts_bucket_name}/${aws_s3_object.line_parser.key}"
}

output "default_arguments" {
  description = "Default arguments of the job; each run adds --MANIFEST_PATH."
  value       = aws_glue_job.ndjson_to_parquet.default_arguments
}

output "log_group_name" {
  description = "Continuous log group of the job."
  value       = aws_cloudwatch_log_group.job.name
}
