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
