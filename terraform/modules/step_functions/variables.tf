variable "state_machine_name" {
  description = "Name of the manifest processing state machine."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,80}$", var.state_machine_name))
    error_message = "state_machine_name must be 1-80 letters, digits, `-` or `_`."
  }
}

variable "role_arn" {
  description = "ARN of the state machine's IAM role."
  type        = string
}

variable "definition_template_path" {
  description = "Path of the Amazon States Language template (asl/manifest_processing.asl.json.tftpl)."
  type        = string

  validation {
    condition     = endswith(var.definition_template_path, ".tftpl")
    error_message = "definition_template_path must point at a .tftpl template."
  }
}

variable "tracking_table_name" {
  description = "DynamoDB tracking table whose manifest items the state machine updates."
  type        = string
}

variable "glue_job_name" {
  description = "Glue job run for each manifest."
  type        = string
}

variable "alerts_topic_arn" {
  description = "SNS topic receiving the failure alert."
  type        = string
}

variable "glue_retry_interval_seconds" {
  description = "First wait before retrying a failed Glue run (2 retries, doubling). ConcurrentRunsExceeded has its own fixed 60 s x 3 retry."
  type        = number
  default     = 30

  validation {
    condition     = var.glue_retry_interval_seconds >= 1 && var.glue_retry_interval_seconds <= 3600
    error_message = "glue_retry_interval_seconds must be between 1 and 3600."
  }
}

variable "log_level" {
  description = "Execution log level: ALL, ERROR or FATAL (OFF is not offered: executions must stay visible)."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be ALL, ERROR or FATAL."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the execution log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
