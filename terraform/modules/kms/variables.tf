variable "alias" {
  description = "Alias of the key, without the `alias/` prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias must be 1-250 letters, digits, `/`, `_` or `-`, and must not start with `aws/`."
  }
}

variable "description" {
  description = "Description of the key: what it encrypts."
  type        = string
}

variable "data_key_services" {
  description = "Service principals (e.g. `s3.amazonaws.com`) allowed to generate and decrypt data keys on behalf of this account, for the queues and topics they write to."
  type        = list(string)

  validation {
    condition     = length(var.data_key_services) > 0 && alltrue([for service in var.data_key_services : endswith(service, ".amazonaws.com")])
    error_message = "data_key_services must list at least one service principal ending in `.amazonaws.com`."
  }
}

variable "deletion_window_days" {
  description = "Waiting period before the key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
