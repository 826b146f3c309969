variable "name_prefix" {
  description = "Prefix of the role names, e.g. `ndjson-intake-dev`; each role is `<name_prefix>-<key>`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 letters, digits or hyphens, starting with a letter."
  }
}

variable "roles" {
  description = "Roles by key (also the inline policy's name): the service that assumes the role, whether its trust is limited to this account (`aws:SourceAccount`; not every service sets it), the policy statements (every action named, every resource an ARN, or `\"*\"` with a condition for actions that accept no ARN), and whether the role needs the Step Functions log delivery statement. Two statements every workload repeats are built here: `log_group_arn` (a function's own log group: first statement `OwnLogs`) and `data_key` (data keys of the stack's KMS key, `encrypt` adding kms:Encrypt: last statement `UseDataKey`)."
  type = map(object({
    description              = string
    service                  = string
    source_account_condition = optional(bool, true)
    vended_log_delivery      = optional(bool, false)
    log_group_arn            = optional(string)
    data_key = optional(object({
      key_arn = string
      encrypt = optional(bool, false)
    }))
    statements = list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    }))
  }))

  validation {
    condition     = alltrue([for key, role in var.roles : can(regex("^[a-z][a-z0-9-]{1,22}$", key)) && endswith(role.service, ".amazonaws.com")])
    error_message = "Each role key must be 2-23 lowercase letters, digits or hyphens, and each service a principal ending in `.amazonaws.com`."
  }

  validation {
    condition     = alltrue(flatten([for role in values(var.roles) : [for statement in role.statements : (!contains(statement.resources, "*") || length(statement.conditions) > 0) && alltrue([for action in statement.actions : !strcontains(action, "*")])]]))
    error_message = "Statements must name every action (no wildcards) and scope every resource: \"*\" only with a condition, for actions that accept no resource ARN."
  }
}

variable "tags" {
  description = "Tags added to every role."
  type        = map(string)
  default     = {}
}
