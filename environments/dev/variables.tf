variable "aws_region" {
  description = "Region of the stack."
  type        = string
}

variable "use_local_emulator" {
  description = "Target the local AWS emulator (AWS_ENDPOINT_URL) instead of AWS; set by `make ... LOCAL=1`."
  type        = bool
  default     = false
}

variable "blank_step_function_arn" {
  description = "Rollback switch: true blanks the manifest builder's STEP_FUNCTION_ARN (files are still tracked and manifested, no execution starts) while the state machine stays deployed."
  type        = bool
  default     = false
}

variable "blank_router_step_function_arn" {
  description = "Rollback switch of the file router: true blanks its STEP_FUNCTION_ARN (files are still decided and recorded, as held) while the routing state machine stays deployed."
  type        = bool
  default     = false
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the pipeline's alerts."
  type        = list(string)
  default     = []
}

variable "datamart_network" {
  description = "The private subnets and security groups from which the datamart's PostgreSQL is reached (the workflow's functions, the Glue connection), and the first subnet's availability zone. The subnets need VPC endpoints or NAT for S3, DynamoDB, SNS and Secrets Manager."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
    availability_zone  = string
  })

  validation {
    condition = (
      length(var.datamart_network.subnet_ids) > 0 && length(var.datamart_network.security_group_ids) > 0
      && alltrue([for id in var.datamart_network.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
      && alltrue([for id in var.datamart_network.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    )
    error_message = "datamart_network: subnet-<hex> ids and sg-<hex> ids, at least one of each."
  }
}

variable "datamart_secret_arn" {
  description = "Secret of the dev datamart database (RDS layout), an existing one: dev shares a small PostgreSQL rather than paying for its own cluster."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.datamart_secret_arn))
    error_message = "datamart_secret_arn must be a Secrets Manager secret ARN."
  }
}
