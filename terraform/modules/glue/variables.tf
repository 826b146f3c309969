variable "job_name" {
  description = "Name of the job (also of its security configuration and log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.job_name))
    error_message = "job_name must be 1-255 letters, digits, `-` or `_`."
  }
}

variable "description" {
  description = "What the job does, shown in the Glue console."
  type        = string
}

variable "role_arn" {
  description = "ARN of the job's IAM role."
  type        = string
}

variable "script_path" {
  description = "Local path of the job's entry point script under src/glue/."
  type        = string

  validation {
    condition     = endswith(var.script_path, ".py")
    error_message = "script_path must point at a .py file."
  }
}

variable "extra_python_files" {
  description = "Local paths of Python archives built by `make build`, passed with --extra-py-files."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for path in var.extra_python_files : endswith(path, ".zip") || endswith(path, ".py")])
    error_message = "extra_python_files must be .zip archives or .py files."
  }
}

variable "extra_jars" {
  description = "Local paths of jars built by `make build`, passed with --extra-jars."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for path in var.extra_jars : endswith(path, ".jar")])
    error_message = "extra_jars must be .jar files."
  }
}

variable "arguments" {
  description = "Default arguments of the job (`--NAME` => value), after the module's own (language, libraries, continuous logging)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.arguments) : startswith(name, "--")])
    error_message = "Argument names must start with `--`."
  }
}

variable "connections" {
  description = "Glue connections the job runs in (e.g. a NETWORK connection to reach a database in a VPC)."
  type        = list(string)
  default     = []
}

variable "artifacts_bucket_name" {
  description = "Bucket the script, Python archives and jars are uploaded to."
  type        = string
}

variable "artifacts_prefix" {
  description = "Key prefix of the uploaded artifacts."
  type        = string

  validation {
    condition     = can(regex("^[^/].*/$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed key used by the job's security configuration and log group."
  type        = string
}

variable "worker_type" {
  description = "Glue worker type."
  type        = string

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.worker_type)
    error_message = "worker_type must be one of G.1X, G.2X, G.4X, G.8X."
  }
}

variable "number_of_workers" {
  description = "Glue workers per run."
  type        = number

  validation {
    condition     = var.number_of_workers >= 2
    error_message = "number_of_workers must be at least 2 (Glue's minimum for Spark jobs)."
  }
}

variable "timeout_minutes" {
  description = "Run timeout; a run past it ends TIMEOUT and the state machine's failure path alerts."
  type        = number

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 2880
    error_message = "timeout_minutes must be between 1 and 2880."
  }
}

variable "max_concurrent_runs" {
  description = "Concurrent runs allowed; beyond it StartJobRun fails with ConcurrentRunsExceededException and the state machine retries."
  type        = number

  validation {
    condition     = var.max_concurrent_runs >= 1
    error_message = "max_concurrent_runs must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the job's continuous log group."
  type        = number
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
