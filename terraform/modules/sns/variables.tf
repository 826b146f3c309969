variable "name" {
  description = "Name of the topic."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.name))
    error_message = "name must be 1-256 letters, digits, `-` or `_`."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the topic; publishing services need data keys on it."
  type        = string
}

variable "publishers" {
  description = "AWS services that may publish: statement id => service principal and, optionally, the ARNs of the sources it publishes from (without them, any source of this account)."
  type = map(object({
    service     = string
    source_arns = optional(list(string))
  }))
  default = {}

  validation {
    condition     = alltrue([for publisher in values(var.publishers) : endswith(publisher.service, ".amazonaws.com") && (publisher.source_arns == null || length(coalesce(publisher.source_arns, [])) > 0)])
    error_message = "Each publisher's service must be a service principal ending in `.amazonaws.com`, with source_arns unset or non-empty."
  }
}

variable "email_addresses" {
  description = "E-mail addresses subscribed to the topic (each confirms by mail before it receives anything)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "email_addresses must be e-mail addresses."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
