variable "name_prefix" {
  description = "Prefix of the role names, e.g. `ndjson-intake-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 letters, digits or hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the stack's data; every role may use it for data keys only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "bucket_arns" {
  description = "Bucket ARN per purpose; must contain input, manifests, output, quarantine and artifacts."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["input", "manifests", "output", "quarantine", "artifacts"], keys(var.bucket_arns))) == 0
    error_message = "bucket_arns must contain the keys input, manifests, output, quarantine and artifacts."
  }
}

variable "manifest_prefix" {
  description = "Key prefix under which the manifest builder writes manifests in the manifests bucket."
  type        = string

  validation {
    condition     = can(regex("^[^/].*/$", var.manifest_prefix))
    error_message = "manifest_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "glue_artifacts_prefix" {
  description = "Key prefix of the Glue script and library archive in the artifacts bucket."
  type        = string

  validation {
    condition     = can(regex("^[^/].*/$", var.glue_artifacts_prefix))
    error_message = "glue_artifacts_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "intake_queue_arn" {
  description = "ARN of the SQS queue the manifest builder consumes."
  type        = string
}

variable "tracking_table_arn" {
  description = "ARN of the DynamoDB tracking table."
  type        = string
}

variable "alerts_topic_arn" {
  description = "ARN of the SNS topic receiving pipeline alerts."
  type        = string
}

variable "lambda_function_name" {
  description = "Name of the manifest builder function (scopes its log permissions)."
  type        = string
}

variable "state_machine_name" {
  description = "Name of the manifest processing state machine (scopes StartExecution)."
  type        = string
}

variable "glue_job_name" {
  description = "Name of the NDJSON to Parquet Glue job (scopes the state machine's Glue permissions)."
  type        = string
}

variable "tags" {
  description = "Tags added to every role."
  type        = map(string)
  default     = {}
}
