output "alerts_topic_arn" {
  description = "ARN of the SNS topic receiving alarms, failed Glue runs and the state machine's failure alerts."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_names" {
  description = "Alarm name per watched condition."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.pipeline : key => alarm.alarm_name }
}

output "dashboard_name" {
  description = "Name of the pipeline's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.pipeline.dashboard_name
}
