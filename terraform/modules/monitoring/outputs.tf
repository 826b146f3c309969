output "alarm_names" {
  description = "Alarm name per key."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "event_rule_arns" {
  description = "ARN of each alerting event rule, by key (the alerts topic's policy lets these publish)."
  value       = { for key, rule in aws_cloudwatch_event_rule.alert : key => rule.arn }
}

output "event_rule_names" {
  description = "Name of each alerting event rule, by key."
  value       = { for key, rule in aws_cloudwatch_event_rule.alert : key => rule.name }
}

output "dashboard_name" {
  description = "Name of the pipeline's dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
