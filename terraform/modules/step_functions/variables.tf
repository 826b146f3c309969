variable "name" {
  description = "Name of the state machine."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,80}$", var.name))
    error_message = "name must be 1-80 letters, digits, `-` or `_`."
  }
}

variable "role_arn" {
  description = "ARN of the state machine's IAM role."
  type        = string
}

variable "definition_template_path" {
  description = "Path of the Amazon States Language template under asl/."
  type        = string

  validation {
    condition     = endswith(var.definition_template_path, ".asl.json.tftpl")
    error_message = "definition_template_path must point at an asl/*.asl.json.tftpl template."
  }
}

variable "template_variables" {
  description = "Values the template refers to (names, ARNs, retry settings), passed to templatefile()."
  type        = any
}

variable "log_level" {
  description = "Execution log level: ALL, ERROR or FATAL (OFF is not offered: executions must stay visible)."
  type        = string

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
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
