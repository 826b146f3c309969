variable "function_name" {
  description = "Name of the function."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, `-` or `_`."
  }
}

variable "description" {
  description = "What the function does, shown in the Lambda console."
  type        = string
}

variable "package_path" {
  description = "Path of the function's deterministic zip built by `make build` (build/lambda/<function>.zip)."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must point at a .zip built by scripts/build.py."
  }
}

variable "handler" {
  description = "Handler of the function, `<package>.handler.lambda_handler` for the packages under src/lambda/."
  type        = string

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_.]*\\.[a-z_][a-z0-9_]*$", var.handler))
    error_message = "handler must be a dotted module path and function name, e.g. `manifest_builder.handler.lambda_handler`."
  }
}

variable "role_arn" {
  description = "ARN of the function's execution role."
  type        = string
}

variable "runtime" {
  description = "Lambda Python runtime."
  type        = string

  validation {
    condition     = contains(["python3.11", "python3.12"], var.runtime)
    error_message = "runtime must be python3.11 or python3.12."
  }
}

variable "timeout_seconds" {
  description = "Function timeout."
  type        = number

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 1 and 900."
  }
}

variable "memory_mb" {
  description = "Function memory in MB."
  type        = number

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions: caps the function so a burst cannot starve the account, and guarantees it room."
  type        = number

  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1."
  }
}

variable "pipeline" {
  description = "Pipeline the function belongs to (`intake`, `utilities`, ...): the `pipeline` field of its logs and the dimension of its metrics (POWERTOOLS_SERVICE_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{1,30}$", var.pipeline))
    error_message = "pipeline must be 2-31 lowercase letters, digits, `-` or `_`, starting with a letter."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the function's metrics (POWERTOOLS_METRICS_NAMESPACE), the stack's name prefix."
  type        = string
}

variable "environment_variables" {
  description = "Environment of the function (its settings; see the function's README); the module adds the Powertools variables from `pipeline` and `metrics_namespace`."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the environment variables and the log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
}

variable "vpc_config" {
  description = "VPC placement, for functions that reach private resources (a database): subnets and security groups. Null keeps the function outside any VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc_config == null || (length(try(var.vpc_config.subnet_ids, [])) > 0 && length(try(var.vpc_config.security_group_ids, [])) > 0)
    error_message = "vpc_config needs at least one subnet and one security group."
  }
}

variable "sqs_event_source" {
  description = "SQS queue the function consumes, with messages per invocation, the batching window (needed for batch_size > 10) and the maximum concurrent invocations (2-1000). Failed messages are reported per item (ReportBatchItemFailures). Null for none."
  type = object({
    queue_arn               = string
    batch_size              = optional(number, 10)
    batching_window_seconds = optional(number, 0)
    maximum_concurrency     = optional(number, 2)
  })
  default = null

  validation {
    condition     = var.sqs_event_source == null || try(var.sqs_event_source.batch_size >= 1 && var.sqs_event_source.batch_size <= 10000, false)
    error_message = "sqs_event_source.batch_size must be between 1 and 10000."
  }

  validation {
    condition     = var.sqs_event_source == null || try(var.sqs_event_source.batching_window_seconds >= 0 && var.sqs_event_source.batching_window_seconds <= 300, false)
    error_message = "sqs_event_source.batching_window_seconds must be between 0 and 300."
  }

  validation {
    condition     = var.sqs_event_source == null || try(var.sqs_event_source.maximum_concurrency >= 2 && var.sqs_event_source.maximum_concurrency <= 1000, false)
    error_message = "sqs_event_source.maximum_concurrency must be between 2 and 1000 (the AWS limits)."
  }
}

variable "triggers" {
  description = "EventBridge rules invoking the function, by key (the rule is `<function_name>-<key>`): a schedule expression or an event pattern (JSON), and for patterns the target's retry policy and dead-letter queue. `input` (JSON) replaces the event the function receives. `target_id` and `statement_id` default to `function` and `AllowEventBridge-<key>`."
  type = map(object({
    description               = string
    schedule_expression       = optional(string)
    event_pattern             = optional(string)
    dead_letter_queue_arn     = optional(string)
    maximum_event_age_seconds = optional(number, 3600)
    maximum_retry_attempts    = optional(number, 185)
    target_id                 = optional(string)
    statement_id              = optional(string)
    input                     = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for trigger in values(var.triggers) : (trigger.schedule_expression == null) != (trigger.event_pattern == null)])
    error_message = "Each trigger needs exactly one of schedule_expression and event_pattern."
  }

  validation {
    condition     = alltrue([for trigger in values(var.triggers) : trigger.schedule_expression == null || can(regex("^(rate|cron)\\(.+\\)$", coalesce(trigger.schedule_expression, "-")))])
    error_message = "A trigger's schedule_expression must be a rate(...) or cron(...) expression."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
