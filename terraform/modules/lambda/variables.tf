variable "function_name" {
  description = "Name of the manifest builder function."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, `-` or `_`."
  }
}

variable "role_arn" {
  description = "ARN of the function's execution role."
  type        = string
}

variable "package_path" {
  description = "Path of the deterministic zip built by `make build` (holds `manifest_builder/` at its root)."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must point at the .zip built by scripts/build.py."
  }
}

variable "runtime" {
  description = "Lambda Python runtime."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.11", "python3.12"], var.runtime)
    error_message = "runtime must be python3.11 or python3.12."
  }
}

variable "timeout_seconds" {
  description = "Function timeout. The intake queue's visibility timeout is derived from it (6x)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 5 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 5 and 900."
  }
}

variable "memory_mb" {
  description = "Function memory in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions: caps the function so a burst cannot starve the account, and guarantees room for the queue consumers plus the sweep."
  type        = number
  default     = 10

  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1."
  }
}

variable "environment_variables" {
  description = "Environment of the function (the manifest builder's settings, see its README)."
  type        = map(string)

  validation {
    condition     = alltrue([for name in ["TRACKING_TABLE", "MANIFEST_BUCKET", "STEP_FUNCTION_ARN"] : contains(keys(var.environment_variables), name)])
    error_message = "environment_variables must at least set TRACKING_TABLE, MANIFEST_BUCKET and STEP_FUNCTION_ARN (blank for the rollback)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the environment variables and the log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 365
}

variable "intake_queue_arn" {
  description = "ARN of the SQS queue the function consumes."
  type        = string
}

variable "batch_size" {
  description = "Messages per invocation from the intake queue."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }
}

variable "batching_window_seconds" {
  description = "How long the event source gathers messages before invoking (needed for batch_size > 10)."
  type        = number
  default     = 5

  validation {
    condition     = var.batching_window_seconds >= 0 && var.batching_window_seconds <= 300
    error_message = "batching_window_seconds must be between 0 and 300."
  }
}

variable "maximum_concurrency" {
  description = "Maximum concurrent invocations by the SQS event source (2-1000); keep it below reserved_concurrency so the sweep always has room."
  type        = number
  default     = 5

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be between 2 and 1000 (the AWS limits)."
  }
}

variable "orphan_sweep_schedule" {
  description = "EventBridge schedule expression of the orphan sweep (flushes partial batches, expired locks)."
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.orphan_sweep_schedule))
    error_message = "orphan_sweep_schedule must be a rate(...) or cron(...) expression."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
