variable "job_name" {
  description = "Name of the NDJSON to Parquet Glue job."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.job_name))
    error_message = "job_name must be 1-255 letters, digits, `-` or `_`."
  }
}

variable "role_arn" {
  description = "ARN of the job's IAM role."
  type        = string
}

variable "script_path" {
  description = "Local path of the Glue entry point script (src/glue/ndjson_to_parquet.py)."
  type        = string

  validation {
    condition     = endswith(var.script_path, ".py")
    error_message = "script_path must point at a .py file."
  }
}

variable "library_path" {
  description = "Local path of the library archive built by `make build` (build/glue/ndjson_parquet.zip), passed with --extra-py-files."
  type        = string

  validation {
    condition     = endswith(var.library_path, ".zip")
    error_message = "library_path must point at a .zip archive."
  }
}

variable "line_parser_jar_path" {
  description = "Local path of the line parser jar built by `make build` (build/glue/ndjson_line_parser.jar), passed with --extra-jars."
  type        = string

  validation {
    condition     = endswith(var.line_parser_jar_path, ".jar")
    error_message = "line_parser_jar_path must point at a .jar file."
  }
}

variable "artifacts_bucket_name" {
  description = "Bucket the script, library archive and line parser jar are uploaded to."
  type        = string
}

variable "artifacts_prefix" {
  description = "Key prefix of the uploaded script, archive and jar."
  type        = string
  default     = "glue/"

  validation {
    condition     = can(regex("^[^/].*/$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key used by the job's security configuration and log group."
  type        = string
}

variable "manifest_bucket_name" {
  description = "Bucket holding the manifests (--MANIFEST_BUCKET)."
  type        = string
}

variable "output_bucket_name" {
  description = "Bucket receiving Parquet output and rejects (--OUTPUT_BUCKET)."
  type        = string
}

variable "output_prefix" {
  description = "Key prefix of the Parquet output (--OUTPUT_PREFIX)."
  type        = string
  default     = "parquet/"

  validation {
    condition     = can(regex("^[^/].*/$", var.output_prefix))
    error_message = "output_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "rejects_prefix" {
  description = "Key prefix of rejected lines in the output bucket (--REJECTS_PREFIX)."
  type        = string
  default     = "rejects/"

  validation {
    condition     = can(regex("^[^/].*/$", var.rejects_prefix))
    error_message = "rejects_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "compression_type" {
  description = "Parquet compression codec (--COMPRESSION_TYPE)."
  type        = string
  default     = "snappy"

  validation {
    condition     = contains(["snappy", "gzip", "zstd", "lz4", "none"], var.compression_type)
    error_message = "compression_type must be one of snappy, gzip, zstd, lz4, none."
  }
}

variable "max_reject_ratio" {
  description = "Share of malformed lines above which a run fails instead of writing (--MAX_REJECT_RATIO)."
  type        = number
  default     = 0.01

  validation {
    condition     = var.max_reject_ratio >= 0 && var.max_reject_ratio <= 1
    error_message = "max_reject_ratio must be between 0 and 1."
  }
}

variable "target_file_size_mb" {
  description = "Target size of each Parquet output file (--TARGET_FILE_SIZE_MB)."
  type        = number
  default     = 128

  validation {
    condition     = var.target_file_size_mb >= 1 && var.target_file_size_mb <= 1024
    error_message = "target_file_size_mb must be between 1 and 1024."
  }
}

variable "extra_arguments" {
  description = "Further default arguments of the job (`--NAME` => value), e.g. optional ones the job documents."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.extra_arguments) : startswith(name, "--")])
    error_message = "extra_arguments keys must start with `--`."
  }
}

variable "worker_type" {
  description = "Glue worker type."
  type        = string
  default     = "G.1X"

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.worker_type)
    error_message = "worker_type must be one of G.1X, G.2X, G.4X, G.8X."
  }
}

variable "number_of_workers" {
  description = "Glue workers per run."
  type        = number
  default     = 2

  validation {
    condition     = var.number_of_workers >= 2
    error_message = "number_of_workers must be at least 2 (Glue's minimum for Spark jobs)."
  }
}

variable "timeout_minutes" {
  description = "Run timeout; a run past it ends TIMEOUT and the state machine's failure path alerts."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 2880
    error_message = "timeout_minutes must be between 1 and 2880."
  }
}

variable "max_concurrent_runs" {
  description = "Concurrent runs allowed; beyond it StartJobRun fails with ConcurrentRunsExceededException and the state machine retries."
  type        = number
  default     = 3

  validation {
    condition     = var.max_concurrent_runs >= 1
    error_message = "max_concurrent_runs must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the job's continuous log group."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
