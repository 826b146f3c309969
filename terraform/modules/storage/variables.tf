variable "name_prefix" {
  description = "Prefix of every resource name, e.g. `ndjson-intake-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,23}$", var.name_prefix))
    error_message = "name_prefix must be 3-24 lowercase letters, digits or hyphens, starting with a letter (it is part of S3 bucket names)."
  }
}

variable "buckets" {
  description = "Buckets to create: purpose (part of the bucket name) => what the bucket holds (its `Purpose` tag)."
  type        = map(string)

  validation {
    condition     = alltrue([for purpose in keys(var.buckets) : can(regex("^[a-z][a-z0-9-]{1,14}$", purpose)) && purpose != "access-logs"])
    error_message = "Each bucket purpose must be 2-15 lowercase letters, digits or hyphens, starting with a letter; `access-logs` is reserved."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key every bucket but the access-log bucket is encrypted with."
  type        = string
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

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
