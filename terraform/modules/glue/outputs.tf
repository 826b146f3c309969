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
  value       = local.artifact_uris["library"]
}

output "line_parser_location" {
  description = "S3 URI of the uploaded line parser jar (--extra-jars)."
  value       = local.artifact_uris["line_parser"]
}

output "default_arguments" {
  description = "Default arguments of the job; each run adds --MANIFEST_PATH."
  value       = aws_glue_job.ndjson_to_parquet.default_arguments
}

output "log_group_name" {
  description = "Continuous log group of the job."
  value       = aws_cloudwatch_log_group.job.name
}
