variable "name_prefix" {
  description = "Prefix of the alarm, rule and dashboard names."
  type        = string
}

variable "alerts_topic_name" {
  description = "Name of the SNS topic receiving the pipeline's alerts."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.alerts_topic_name))
    error_message = "alerts_topic_name must be 1-256 letters, digits, `-` or `_`."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the alerts topic."
  type        = string
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the alerts topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alert_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alert_email_addresses must be e-mail addresses."
  }
}

variable "lambda_function_name" {
  description = "Manifest builder function watched for errors and throttles."
  type        = string
}

variable "intake_queue_name" {
  description = "Intake queue watched for the age of its oldest message."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Dead-letter queue watched for any message."
  type        = string
}

variable "state_machine_arn" {
  description = "State machine watched for failed and timed-out executions."
  type        = string
}

variable "glue_job_name" {
  description = "Glue job watched for failed runs."
  type        = string
}

variable "oldest_message_age_threshold_seconds" {
  description = "Alarm when the intake queue's oldest message is older than this (intake is stalling)."
  type        = number
  default     = 900

  validation {
    condition     = var.oldest_message_age_threshold_seconds >= 60
    error_message = "oldest_message_age_threshold_seconds must be at least 60."
  }
}

variable "alarm_period_seconds" {
  description = "Evaluation period of the alarms."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.alarm_period_seconds)
    error_message = "alarm_period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
