variable "name" {
  description = "Name of the table."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, `_`, `.` or `-`."
  }
}

variable "hash_key" {
  description = "Partition key attribute (declared in `attributes`)."
  type        = string
}

variable "range_key" {
  description = "Sort key attribute (declared in `attributes`), or null for a table without one."
  type        = string
  default     = null
}

variable "attributes" {
  description = "Key attributes of the table and its indexes: name => type (`S`, `N` or `B`)."
  type        = map(string)

  validation {
    condition     = alltrue([for type in values(var.attributes) : contains(["S", "N", "B"], type)])
    error_message = "Each attribute type must be S, N or B."
  }
}

variable "global_secondary_indexes" {
  description = "Global secondary indexes by name: keys (declared in `attributes`) and projection."
  type = map(object({
    hash_key           = string
    range_key          = optional(string)
    projection_type    = optional(string, "ALL")
    non_key_attributes = optional(list(string))
  }))
  default = {}

  validation {
    condition     = alltrue([for index in values(var.global_secondary_indexes) : contains(["ALL", "KEYS_ONLY", "INCLUDE"], index.projection_type)])
    error_message = "Each index's projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }
}

variable "ttl_attribute" {
  description = "Attribute holding an item's expiry (epoch seconds), or null for no expiry."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting the table."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the table (through Terraform or the API) until this is turned off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the table."
  type        = map(string)
  default     = {}
}
