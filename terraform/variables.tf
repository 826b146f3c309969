# --- naming --------------------------------------------------------------------------------------

variable "project_name" {
  description = "Project part of every resource name."
  type        = string
  default     = "ndjson-intake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,15}$", var.project_name))
    error_message = "project_name must be 3-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, e.g. dev or prod; part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,6}$", var.environment))
    error_message = "environment must be 2-7 lowercase letters or digits, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of Project and Environment)."
  type        = map(string)
  default     = {}
}

# --- rollback ------------------------------------------------------------------------------------

variable "blank_step_function_arn" {
  description = "Rollback switch: true deploys the manifest builder with STEP_FUNCTION_ARN blank, so it keeps tracking files and writing manifests but starts no executions, while the state machine stays deployed. Set back to false and replay the manifests left `manifested`."
  type        = bool
  default     = false
}

# --- storage -------------------------------------------------------------------------------------

variable "input_prefix" {
  description = "Key prefix in the input bucket whose new objects enter the pipeline. Empty means the whole bucket."
  type        = string
  default     = "incoming/"

  validation {
    condition     = var.input_prefix == "" || can(regex("^[^/].*/$", var.input_prefix))
    error_message = "input_prefix must be empty or a key prefix ending in `/` without a leading `/`."
  }
}

variable "manifest_prefix" {
  description = "Key prefix of the manifests in the manifests bucket (MANIFEST_PREFIX)."
  type        = string
  default     = "manifests/"

  validation {
    condition     = can(regex("^[^/].*/$", var.manifest_prefix))
    error_message = "manifest_prefix must be a key prefix ending in `/` without a leading `/`."
  }
}

variable "max_receive_count" {
  description = "Deliveries of one intake message before it is dead-lettered (at least 5)."
  type        = number
  default     = 5
}

variable "noncurrent_version_retention_days" {
  description = "Days overwritten or deleted object versions are kept."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete non-empty buckets and the tracking table. Only for disposable environments."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of every log group of the stack and of the S3 access logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (e.g. 30, 90, 365, 731)."
  }
}

# --- manifest builder ----------------------------------------------------------------------------

variable "lambda_package_path" {
  description = "Zip of the manifest builder; null means the build's output, build/lambda/manifest_builder.zip."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Python runtime of the manifest builder."
  type        = string
  default     = "python3.12"
}

variable "lambda_timeout_seconds" {
  description = "Manifest builder timeout; the intake queue's visibility timeout is 6x this."
  type        = number
  default     = 60
}

variable "lambda_memory_mb" {
  description = "Manifest builder memory."
  type        = number
  default     = 256
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the manifest builder; must exceed sqs_maximum_concurrency so the sweep always runs."
  type        = number
  default     = 10
}

variable "sqs_batch_size" {
  description = "Intake messages per invocation."
  type        = number
  default     = 10
}

variable "sqs_batching_window_seconds" {
  description = "How long the event source gathers intake messages before invoking."
  type        = number
  default     = 5
}

variable "sqs_maximum_concurrency" {
  description = "Maximum concurrent invocations from the intake queue."
  type        = number
  default     = 5
}

variable "orphan_sweep_schedule" {
  description = "Schedule of the orphan sweep (EventBridge expression)."
  type        = string
  default     = "rate(5 minutes)"
}

variable "reconciliation_schedule" {
  description = "Schedule of the reconciliation, which registers objects of the input prefix the tracking table has never seen (lost notifications, expired dead letters), RECONCILE_MAX_OBJECTS objects a run, resuming where the last run stopped."
  type        = string
  default     = "rate(1 day)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.reconciliation_schedule))
    error_message = "reconciliation_schedule must be a rate(...) or cron(...) expression."
  }
}

variable "allowed_extensions" {
  description = "File extensions accepted; anything else is quarantined (ALLOWED_EXTENSIONS)."
  type        = list(string)
  default     = [".ndjson"]

  validation {
    condition     = length(var.allowed_extensions) > 0 && alltrue([for extension in var.allowed_extensions : can(regex("^\\.[A-Za-z0-9.]+$", extension))])
    error_message = "allowed_extensions must be a non-empty list of extensions such as `.ndjson`."
  }
}

variable "min_file_size_bytes" {
  description = "Smaller files are quarantined (MIN_FILE_SIZE_BYTES)."
  type        = number
  default     = 1
}

variable "max_file_size_bytes" {
  description = "Larger files are quarantined (MAX_FILE_SIZE_BYTES); default 5 GiB."
  type        = number
  default     = 5368709120

  validation {
    condition     = var.max_file_size_bytes >= 1
    error_message = "max_file_size_bytes must be positive."
  }
}

variable "max_files_per_manifest" {
  description = "A manifest is cut at this many files (MAX_FILES_PER_MANIFEST)."
  type        = number
  default     = 200

  validation {
    condition     = var.max_files_per_manifest >= 1
    error_message = "max_files_per_manifest must be at least 1."
  }
}

variable "max_bytes_per_manifest" {
  description = "A manifest is cut at this many bytes (MAX_BYTES_PER_MANIFEST); default 700 MiB."
  type        = number
  default     = 734003200

  validation {
    condition     = var.max_bytes_per_manifest >= 1
    error_message = "max_bytes_per_manifest must be positive."
  }
}

variable "min_files_for_partial_batch" {
  description = "Fewest pending files the orphan sweep flushes as a partial manifest (MIN_FILES_FOR_PARTIAL_BATCH)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_files_for_partial_batch >= 1
    error_message = "min_files_for_partial_batch must be at least 1."
  }
}

variable "max_batch_wait_seconds" {
  description = "Freshness: a date whose oldest pending file has waited this long is flushed as a partial batch, by the next arrival or the orphan sweep (MAX_BATCH_WAIT_SECONDS; 0 waits for the date to pass). The default is Firehose's longest buffer interval."
  type        = number
  default     = 900

  validation {
    condition     = var.max_batch_wait_seconds == 0 || (var.max_batch_wait_seconds >= 60 && var.max_batch_wait_seconds <= 86400)
    error_message = "max_batch_wait_seconds must be 0 (off) or between 60 and 86400."
  }
}

variable "lock_ttl_seconds" {
  description = "Lifetime of a batch lock; a crashed holder's lock expires after it (LOCK_TTL_SECONDS)."
  type        = number
  default     = 120

  validation {
    condition     = var.lock_ttl_seconds >= 10
    error_message = "lock_ttl_seconds must be at least 10."
  }
}

variable "lambda_log_level" {
  description = "Log level of the manifest builder (LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.lambda_log_level)
    error_message = "lambda_log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "lambda_extra_environment" {
  description = "Further manifest builder settings (documented in its README); cannot override the ones above."
  type        = map(string)
  default     = {}
}

# --- Glue job ------------------------------------------------------------------------------------

variable "glue_script_path" {
  description = "Glue entry point script; null means src/glue/ndjson_to_parquet.py."
  type        = string
  default     = null
}

variable "glue_library_path" {
  description = "Glue library archive; null means the build's output, build/glue/ndjson_parquet.zip."
  type        = string
  default     = null
}

variable "glue_line_parser_jar_path" {
  description = "Glue line parser jar (the job's Java UDF); null means the build's output, build/glue/ndjson_line_parser.jar."
  type        = string
  default     = null
}

variable "output_prefix" {
  description = "Key prefix of the Parquet output."
  type        = string
  default     = "parquet/"
}

variable "rejects_prefix" {
  description = "Key prefix of rejected lines in the output bucket."
  type        = string
  default     = "rejects/"
}

variable "compression_type" {
  description = "Parquet compression codec."
  type        = string
  default     = "snappy"
}

variable "max_reject_ratio" {
  description = "Share of malformed lines above which a Glue run fails."
  type        = number
  default     = 0.01
}

variable "target_file_size_mb" {
  description = "Target Parquet file size."
  type        = number
  default     = 128
}

variable "glue_worker_type" {
  description = "Glue worker type."
  type        = string
  default     = "G.1X"
}

variable "glue_number_of_workers" {
  description = "Glue workers per run."
  type        = number
  default     = 2
}

variable "glue_timeout_minutes" {
  description = "Glue run timeout."
  type        = number
  default     = 60
}

variable "glue_max_concurrent_runs" {
  description = "Concurrent Glue runs allowed."
  type        = number
  default     = 3
}

variable "glue_extra_arguments" {
  description = "Further default arguments of the Glue job (`--NAME` => value)."
  type        = map(string)
  default     = {}
}

# --- state machine and monitoring ----------------------------------------------------------------

variable "glue_retry_interval_seconds" {
  description = "First wait before the state machine retries a failed Glue run."
  type        = number
  default     = 30
}

variable "glue_concurrency_retry" {
  description = "How the state machine waits when Glue refuses a run for concurrency or throttling (a burst, a replay after rollback): exponential backoff from interval_seconds, capped at max_delay_seconds, with full jitter, for max_attempts attempts. The defaults wait up to about 15 hours (about 7.5 on average), enough for a day's backlog."
  type = object({
    interval_seconds  = optional(number, 60)
    max_delay_seconds = optional(number, 900)
    max_attempts      = optional(number, 60)
  })
  default = {}

  validation {
    condition = (
      var.glue_concurrency_retry.interval_seconds >= 1 && var.glue_concurrency_retry.interval_seconds <= var.glue_concurrency_retry.max_delay_seconds
      && var.glue_concurrency_retry.max_delay_seconds <= 31622400 && var.glue_concurrency_retry.max_attempts >= 1 && var.glue_concurrency_retry.max_attempts <= 99999999
    )
    error_message = "glue_concurrency_retry: 1 <= interval_seconds <= max_delay_seconds <= 31622400, and 1 <= max_attempts <= 99999999 (Step Functions' limits)."
  }
}

variable "datamart_bundle_lock_retry" {
  description = "How a datamart run waits while another run of its bundle holds the bundle's lock (runs of one bundle go one at a time): exponential backoff from interval_seconds, capped at max_delay_seconds, with full jitter, for max_attempts attempts. A run holds the lock for its load and SQL (minutes), so the cap is short: a waiting run starts soon after the lock is released. The defaults wait about 5 hours on average, past the 4 hours after which a crashed run's lock lapses."
  type = object({
    interval_seconds  = optional(number, 5)
    max_delay_seconds = optional(number, 60)
    max_attempts      = optional(number, 600)
  })
  default = {}

  validation {
    condition = (
      var.datamart_bundle_lock_retry.interval_seconds >= 1 && var.datamart_bundle_lock_retry.interval_seconds <= var.datamart_bundle_lock_retry.max_delay_seconds
      && var.datamart_bundle_lock_retry.max_delay_seconds <= 31622400 && var.datamart_bundle_lock_retry.max_attempts >= 1 && var.datamart_bundle_lock_retry.max_attempts <= 99999999
    )
    error_message = "datamart_bundle_lock_retry: 1 <= interval_seconds <= max_delay_seconds <= 31622400, and 1 <= max_attempts <= 99999999 (Step Functions' limits)."
  }
}

variable "state_machine_log_level" {
  description = "Execution log level of the state machine: ALL, ERROR or FATAL."
  type        = string
  default     = "ALL"
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the alerts topic."
  type        = list(string)
  default     = []
}

variable "oldest_message_age_alarm_seconds" {
  description = "Alarm when the intake queue's oldest message is older than this."
  type        = number
  default     = 900

  validation {
    condition     = var.oldest_message_age_alarm_seconds >= 60
    error_message = "oldest_message_age_alarm_seconds must be at least 60."
  }
}

# --- pipelines -----------------------------------------------------------------------------------

variable "enable_utilities" {
  description = "Deploy the utility functions (utilities.tf): DownloadZip and UploadConfig."
  type        = bool
  default     = false
}

variable "enable_router" {
  description = "Deploy the file router pipeline (router.tf): EventBridge notifications of the input bucket, the router Lambda, its decisions table and the routing state machine. Routed files are loaded by the datamart workflow, so it needs enable_datamart."
  type        = bool
  default     = false

  validation {
    condition     = !var.enable_router || var.enable_datamart
    error_message = "enable_router needs enable_datamart: the datamart workflow loads each routed file."
  }
}

# --- file router ---------------------------------------------------------------------------------

variable "blank_router_step_function_arn" {
  description = "Rollback switch of the file router: true deploys it with STEP_FUNCTION_ARN blank, so it keeps deciding and recording but starts no routing (decisions are held); set back to false and run `platform-ops router replay`."
  type        = bool
  default     = false
}

variable "router_load_jobs" {
  description = "The load jobs the platform deploys (the router's DEPLOYED_LOAD_JOBS): a config job's job_name must be one of them. `datamart-load` is the datamart engine's, the default of job_name."
  type        = list(string)
  default     = ["datamart-load"]

  validation {
    condition     = length(var.router_load_jobs) > 0 && alltrue([for name in var.router_load_jobs : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", name))])
    error_message = "router_load_jobs must list at least one job name of letters, digits and _.- (as the config schema's job_name)."
  }
}

variable "router_max_concurrent_loads" {
  description = "Loads of one routed file that run at once (the routing Map's MaxConcurrency). Set the load job's MaxConcurrentRuns to at least this times the files routed at once; concurrency refusals are retried with glue_concurrency_retry's backoff."
  type        = number
  default     = 2

  validation {
    condition     = var.router_max_concurrent_loads >= 1 && var.router_max_concurrent_loads <= 40
    error_message = "router_max_concurrent_loads must be between 1 and 40."
  }
}

variable "router_reserved_concurrency" {
  description = "Reserved concurrency of the router Lambda."
  type        = number
  default     = 5

  validation {
    condition     = var.router_reserved_concurrency >= 1
    error_message = "router_reserved_concurrency must be at least 1."
  }
}

variable "router_config_refresh_seconds" {
  description = "How long the router uses its cached config before one conditional GET revalidates it (CONFIG_REFRESH_SECONDS)."
  type        = number
  default     = 60

  validation {
    condition     = var.router_config_refresh_seconds >= 0 && var.router_config_refresh_seconds <= 3600
    error_message = "router_config_refresh_seconds must be between 0 and 3600."
  }
}

variable "enable_datamart" {
  description = "Deploy the datamart load pipeline (datamart.tf): its state machine, functions, Glue job and connection, run records, bundles, triggers and alarms. Needs datamart_network, and datamart_secret_arn or create_datamart_database."
  type        = bool
  default     = false
}

variable "datamart_network" {
  description = "Where the datamart's PostgreSQL is reached from: private subnets (the functions reaching the database and, with the first subnet, the Glue NETWORK connection), their security groups, and the availability zone of the first subnet. The subnets need a path to S3, DynamoDB, SNS and Secrets Manager (VPC endpoints or NAT)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
    availability_zone  = string
  })
  default = null

  validation {
    condition     = !var.enable_datamart || var.datamart_network != null
    error_message = "enable_datamart needs datamart_network: the subnets and security groups from which PostgreSQL is reached."
  }

  validation {
    condition = var.datamart_network == null || (
      length(try(var.datamart_network.subnet_ids, [])) > 0 && length(try(var.datamart_network.security_group_ids, [])) > 0
      && alltrue([for id in try(var.datamart_network.subnet_ids, []) : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
      && alltrue([for id in try(var.datamart_network.security_group_ids, []) : can(regex("^sg-[0-9a-f]{8,17}$", id))])
      && can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", try(var.datamart_network.availability_zone, "")))
    )
    error_message = "datamart_network: at least one subnet (subnet-<8 to 17 hex digits>) and one security group (sg-<8 to 17 hex digits>), and an availability zone like eu-west-1a."
  }
}

variable "datamart_secret_arn" {
  description = "ARN of the Secrets Manager secret of an existing datamart database (RDS layout: host, port, dbname, username, password, optional sslmode). Blank when create_datamart_database creates the database and its secret."
  type        = string
  default     = ""

  validation {
    condition     = var.datamart_secret_arn == "" || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.datamart_secret_arn))
    error_message = "datamart_secret_arn must be a Secrets Manager secret ARN, or blank."
  }

  validation {
    condition     = !var.enable_datamart || ((var.datamart_secret_arn == "") == var.create_datamart_database)
    error_message = "enable_datamart needs exactly one of datamart_secret_arn (an existing database) and create_datamart_database = true."
  }
}

variable "create_datamart_database" {
  description = "Create the datamart's database: an Aurora Serverless v2 PostgreSQL cluster in datamart_network, and its secret with a generated password (never in the state)."
  type        = bool
  default     = false
}

variable "datamart_database" {
  description = "The Aurora Serverless v2 cluster created by create_datamart_database: engine version, database and master user names, capacity range (ACUs) and backup retention."
  type = object({
    engine_version        = optional(string, "16.6")
    database_name         = optional(string, "datamart")
    master_username       = optional(string, "datamart_admin")
    min_capacity          = optional(number, 0.5)
    max_capacity          = optional(number, 4)
    backup_retention_days = optional(number, 7)
  })
  default = {}

  validation {
    condition = (
      var.datamart_database.min_capacity >= 0 && var.datamart_database.min_capacity <= var.datamart_database.max_capacity
      && var.datamart_database.max_capacity <= 256 && var.datamart_database.backup_retention_days >= 1
      && var.datamart_database.backup_retention_days <= 35
      && can(regex("^[a-z][a-z0-9_]{0,62}$", var.datamart_database.database_name))
      && can(regex("^[a-z][a-z0-9_]{0,62}$", var.datamart_database.master_username))
    )
    error_message = "datamart_database: 0 <= min_capacity <= max_capacity <= 256, 1 to 35 backup days, database and user names of lower-case letters, digits and underscores."
  }
}

variable "datamart_bundles" {
  description = "Bundles of config/bundles/ deployed to the config bucket (bundles/<name>/<version>/), by name."
  type        = list(string)
  default     = ["events"]

  validation {
    condition     = alltrue([for name in var.datamart_bundles : can(regex("^[A-Za-z][A-Za-z0-9_-]{0,63}$", name))])
    error_message = "Each bundle name must be a folder name of config/bundles/ (letters, digits, _ and -, starting with a letter)."
  }
}

variable "datamart_chain_bundle" {
  description = "The bundle that loads each intake manifest into the datamart when its processing succeeds (blank: the datamart is not chained after the intake)."
  type        = string
  default     = ""

  validation {
    condition     = var.datamart_chain_bundle == "" || contains(var.datamart_bundles, var.datamart_chain_bundle)
    error_message = "datamart_chain_bundle must be one of datamart_bundles, or blank."
  }
}

variable "datamart_schedules" {
  description = "Bundles run on a schedule, bundle => EventBridge schedule expression; each run loads the day before the schedule's time."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for bundle, expression in var.datamart_schedules : contains(var.datamart_bundles, bundle) && can(regex("^(cron|rate)\\(.+\\)$", expression))])
    error_message = "datamart_schedules: each key one of datamart_bundles, each value a cron(...) or rate(...) expression."
  }
}

variable "datamart_notice_email_addresses" {
  description = "E-mail addresses subscribed to the datamart's run summaries topic."
  type        = list(string)
  default     = []
}

variable "datamart_run_duration_alarm_seconds" {
  description = "A datamart run taking longer than this raises the run duration alarm."
  type        = number
  default     = 3600

  validation {
    condition     = var.datamart_run_duration_alarm_seconds >= 60
    error_message = "datamart_run_duration_alarm_seconds must be at least 60."
  }
}

variable "datamart_glue_worker_type" {
  description = "Worker type of the datamart load Glue job."
  type        = string
  default     = "G.1X"
}

variable "datamart_glue_number_of_workers" {
  description = "Workers of the datamart load Glue job (2 is Glue's minimum; the driver streams sources below SPARK_MIN_BYTES)."
  type        = number
  default     = 2
}

variable "datamart_glue_timeout_minutes" {
  description = "Timeout of a datamart load Glue run; a run killed by it resumes on replay."
  type        = number
  default     = 120
}

variable "datamart_glue_max_concurrent_runs" {
  description = "Concurrent runs of the datamart load Glue job; more wait in the state machine's backoff."
  type        = number
  default     = 3
}
