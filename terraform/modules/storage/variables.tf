variable "name_prefix" {
  description = "Prefix of every resource name, e.g. `ndjson-intake-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,23}$", var.name_prefix))
    error_message = "name_prefix must be 3-24 lowercase letters, digits or hyphens, starting with a letter (it is part of S3 bucket names)."
  }
}

variable "input_prefix" {
  description = "Key prefix in the input bucket whose new objects are announced to the intake queue. Empty means the whole bucket."
  type        = string
  default     = "incoming/"

  validation {
    condition     = var.input_prefix == "" || can(regex("^[^/].*/$", var.input_prefix))
    error_message = "input_prefix must be empty or a key prefix ending in `/` without a leading `/`."
  }
}

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the intake queue. AWS requires at least 6x the consuming Lambda's timeout; the root module derives it."
  type        = number

  validation {
    condition     = var.queue_visibility_timeout_seconds >= 30 && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be between 30 and 43200."
  }
}

variable "max_receive_count" {
  description = "Deliveries of one intake message before it moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 5 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 5 and 1000: fewer deliveries dead-letter files on transient throttling."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long dead-lettered intake messages are kept for replay (max 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 86400 && var.dead_letter_retention_seconds <= 1209600
    error_message = "dead_letter_retention_seconds must be between 1 day (86400) and 14 days (1209600)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept before S3 expires it."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete non-empty buckets. Only for disposable environments."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the customer-managed key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
