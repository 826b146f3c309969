output "role_arns" {
  description = "ARN of each role, by key."
  value       = { for key, role in aws_iam_role.this : key => role.arn }
  # Consumers (functions, jobs, state machines) must not start using a role before its policy exists.
  depends_on = [aws_iam_role_policy.this]
}

output "role_names" {
  description = "Name of each role, by key."
  value       = { for key, role in aws_iam_role.this : key => role.name }
}

output "policy_documents" {
  description = "The inline policy JSON of each role, by key (for review and tests)."
  value       = { for key, document in data.aws_iam_policy_document.policy : key => document.json }
}
