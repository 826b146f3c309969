variable "name" {
  description = "Name of the queue; its dead-letter queue is `<name>-dlq`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,76}$", var.name))
    error_message = "name must be 1-76 letters, digits, `-` or `_` (80 with the `-dlq` suffix)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting both queues."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue. AWS requires at least 6x the consuming Lambda's timeout."
  type        = number

  validation {
    condition     = var.visibility_timeout_seconds >= 30 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 30 and 43200."
  }
}

variable "message_retention_seconds" {
  description = "How long an unconsumed message stays in the queue."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "dead_letter" {
  description = "Redrive: deliveries of one message before it moves to the dead-letter queue, and how long dead-lettered messages are kept for replay."
  type = object({
    max_receive_count = optional(number, 5)
    retention_seconds = optional(number, 1209600)
  })
  default = {}

  validation {
    condition     = var.dead_letter.max_receive_count >= 5 && var.dead_letter.max_receive_count <= 1000
    error_message = "dead_letter.max_receive_count must be between 5 and 1000: fewer deliveries dead-letter messages on transient throttling."
  }

  validation {
    condition     = var.dead_letter.retention_seconds >= 86400 && var.dead_letter.retention_seconds <= 1209600
    error_message = "dead_letter.retention_seconds must be between 1 day (86400) and 14 days (1209600)."
  }
}

variable "senders" {
  description = "Who may send to the queue: statement id => the AWS service principal and the ARNs of the sources it sends from (e.g. a bucket)."
  type = map(object({
    service     = string
    source_arns = list(string)
  }))

  validation {
    condition     = length(var.senders) > 0 && alltrue([for sender in values(var.senders) : length(sender.source_arns) > 0])
    error_message = "senders must name at least one sender, each with at least one source ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
