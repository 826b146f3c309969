# Addresses of v0.1.0 (one intake-specific module per kind) moved to the building-block modules:
# a stack deployed from v0.1.0 keeps every resource (tests/terraform/test_upgrade.py proves it).

moved {
  from = module.storage.aws_kms_key.data
  to   = module.kms.aws_kms_key.this
}

moved {
  from = module.storage.aws_kms_alias.data
  to   = module.kms.aws_kms_alias.this
}

moved {
  from = module.storage.aws_sqs_queue.intake
  to   = module.intake_queue.aws_sqs_queue.this
}

moved {
  from = module.storage.aws_sqs_queue.intake_dead_letter
  to   = module.intake_queue.aws_sqs_queue.dead_letter
}

moved {
  from = module.storage.aws_s3_bucket_notification.input
  to   = aws_s3_bucket_notification.input
}

moved {
  from = module.dynamodb.aws_dynamodb_table.tracking
  to   = module.intake_tracking_table.aws_dynamodb_table.this
}

moved {
  from = module.iam.aws_iam_role.manifest_builder
  to   = module.intake_iam.aws_iam_role.this["manifest-builder"]
}

moved {
  from = module.iam.aws_iam_role_policy.manifest_builder
  to   = module.intake_iam.aws_iam_role_policy.this["manifest-builder"]
}

moved {
  from = module.iam.aws_iam_role.glue_job
  to   = module.intake_iam.aws_iam_role.this["glue-job"]
}

moved {
  from = module.iam.aws_iam_role_policy.glue_job
  to   = module.intake_iam.aws_iam_role_policy.this["glue-job"]
}

moved {
  from = module.iam.aws_iam_role.state_machine
  to   = module.intake_iam.aws_iam_role.this["state-machine"]
}

moved {
  from = module.iam.aws_iam_role_policy.state_machine
  to   = module.intake_iam.aws_iam_role_policy.this["state-machine"]
}

moved {
  from = module.lambda.aws_cloudwatch_log_group.function
  to   = module.intake_manifest_builder.aws_cloudwatch_log_group.this
}

moved {
  from = module.lambda.aws_lambda_function.manifest_builder
  to   = module.intake_manifest_builder.aws_lambda_function.this
}

moved {
  from = module.lambda.aws_lambda_event_source_mapping.intake_queue
  to   = module.intake_manifest_builder.aws_lambda_event_source_mapping.sqs[0]
}

moved {
  from = module.lambda.aws_cloudwatch_event_rule.orphan_sweep
  to   = module.intake_manifest_builder.aws_cloudwatch_event_rule.trigger["orphan-sweep"]
}

moved {
  from = module.lambda.aws_cloudwatch_event_target.orphan_sweep
  to   = module.intake_manifest_builder.aws_cloudwatch_event_target.trigger["orphan-sweep"]
}

moved {
  from = module.lambda.aws_lambda_permission.orphan_sweep
  to   = module.intake_manifest_builder.aws_lambda_permission.trigger["orphan-sweep"]
}

moved {
  from = module.glue.aws_s3_object.artifact["script"]
  to   = module.intake_glue_job.aws_s3_object.artifact["ndjson_to_parquet.py"]
}

moved {
  from = module.glue.aws_s3_object.artifact["library"]
  to   = module.intake_glue_job.aws_s3_object.artifact["ndjson_parquet.zip"]
}

moved {
  from = module.glue.aws_s3_object.artifact["line_parser"]
  to   = module.intake_glue_job.aws_s3_object.artifact["ndjson_line_parser.jar"]
}

moved {
  from = module.glue.aws_glue_security_configuration.job
  to   = module.intake_glue_job.aws_glue_security_configuration.this
}

moved {
  from = module.glue.aws_cloudwatch_log_group.job
  to   = module.intake_glue_job.aws_cloudwatch_log_group.this
}

moved {
  from = module.glue.aws_glue_job.ndjson_to_parquet
  to   = module.intake_glue_job.aws_glue_job.this
}

moved {
  from = module.step_functions.aws_cloudwatch_log_group.executions
  to   = module.intake_state_machine.aws_cloudwatch_log_group.this
}

moved {
  from = module.step_functions.aws_sfn_state_machine.manifest_processing
  to   = module.intake_state_machine.aws_sfn_state_machine.this
}

moved {
  from = module.monitoring.aws_sns_topic.alerts
  to   = module.alerts.aws_sns_topic.this
}

moved {
  from = module.monitoring.aws_sns_topic_policy.alerts
  to   = module.alerts.aws_sns_topic_policy.this
}

moved {
  from = module.monitoring.aws_sns_topic_subscription.email
  to   = module.alerts.aws_sns_topic_subscription.email
}

moved {
  from = module.monitoring.aws_cloudwatch_event_rule.glue_job_failed
  to   = module.intake_monitoring.aws_cloudwatch_event_rule.alert["glue-job-failed"]
}

moved {
  from = module.monitoring.aws_cloudwatch_event_target.glue_job_failed
  to   = module.intake_monitoring.aws_cloudwatch_event_target.alert["glue-job-failed"]
}

moved {
  from = module.monitoring.aws_cloudwatch_metric_alarm.pipeline
  to   = module.intake_monitoring.aws_cloudwatch_metric_alarm.this
}

moved {
  from = module.monitoring.aws_cloudwatch_dashboard.pipeline
  to   = module.intake_monitoring.aws_cloudwatch_dashboard.this
}
