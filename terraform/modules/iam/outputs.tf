output "manifest_builder_role_arn" {
  description = "ARN of the manifest builder Lambda's execution role."
  value       = aws_iam_role.manifest_builder.arn
  # Consumers (function, job, state machine) must not start using the role before its policy exists.
  depends_on = [aws_iam_role_policy.manifest_builder]
}

output "glue_job_role_arn" {
  description = "ARN of the Glue job's role."
  value       = aws_iam_role.glue_job.arn
  # Consumers (function, job, state machine) must not start using the role before its policy exists.
  depends_on = [aws_iam_role_policy.glue_job]
}

output "glue_job_role_name" {
  description = "Name of the Glue job's role (Glue names its encrypted log groups after it)."
  value       = aws_iam_role.glue_job.name
}

output "state_machine_role_arn" {
  description = "ARN of the state machine's role."
  value       = aws_iam_role.state_machine.arn
  # Consumers (function, job, state machine) must not start using the role before its policy exists.
  depends_on = [aws_iam_role_policy.state_machine]
}

output "policy_documents" {
  description = "The inline policy JSON of each role, keyed by role purpose (for review and tests)."
  value = {
    manifest_builder = data.aws_iam_policy_document.manifest_builder.json
    glue_job         = data.aws_iam_policy_document.glue_job.json
    state_machine    = data.aws_iam_policy_document.state_machine.json
  }
}
