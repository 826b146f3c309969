variable "name_prefix" {
  description = "Prefix of the alarm and event rule names, e.g. `ndjson-intake-dev`; each name is `<name_prefix>-<key>`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 letters, digits or hyphens, starting with a letter."
  }
}

variable "alerts_topic_arn" {
  description = "ARN of the SNS topic the alarms and event alerts notify."
  type        = string
}

variable "functions" {
  description = "Lambda functions of the pipeline, key => function name: each gets `<key>-errors` and `<key>-throttles` alarms and a dashboard widget."
  type        = map(string)
  default     = {}
}

variable "state_machines" {
  description = "State machines of the pipeline, key => ARN: each gets `<key>-failed` (unless listed in `state_machines_alerting_own_failures`) and `<key>-timed-out` alarms and a dashboard widget."
  type        = map(string)
  default     = {}
}

variable "state_machines_alerting_own_failures" {
  description = "Keys of `state_machines` whose executions alert their own failures (every failure path publishes one alert, and an alert that cannot be sent is recorded on a metric the caller alarms on): these get no `<key>-failed` alarm, which would repeat each failure; their `<key>-timed-out` alarm stays."
  type        = set(string)
  default     = []

  validation {
    condition     = length(setsubtract(var.state_machines_alerting_own_failures, keys(var.state_machines))) == 0
    error_message = "Each of state_machines_alerting_own_failures must be a key of state_machines."
  }
}

variable "dead_letter_queues" {
  description = "Dead-letter queues of the pipeline, key => queue name: each gets a `<key>-messages` alarm, firing on the first message."
  type        = map(string)
  default     = {}
}

variable "alarms" {
  description = "Further alarms of the pipeline, by key (the alarm is `<name_prefix>-<key>`): each fires when the metric's statistic exceeds the threshold in one period."
  type = map(object({
    description = string
    namespace   = string
    metric_name = string
    statistic   = string
    dimensions  = map(string)
    threshold   = number
  }))
  default = {}

  validation {
    condition     = alltrue([for alarm in values(var.alarms) : contains(["Average", "Maximum", "Minimum", "SampleCount", "Sum"], alarm.statistic)])
    error_message = "Each alarm's statistic must be Average, Maximum, Minimum, SampleCount or Sum."
  }
}

variable "event_alerts" {
  description = "EventBridge rules whose events go to the alerts topic, by key (the rule is `<name_prefix>-<key>`): a description and the event pattern (an object, encoded by the module)."
  type = map(object({
    description   = string
    event_pattern = any
  }))
  default = {}
}

variable "dashboard_name" {
  description = "Name of the pipeline's CloudWatch dashboard."
  type        = string
}

variable "dashboard_widgets" {
  description = "Metric widgets of the dashboard, laid out two per row in this order; each an object with `title`, `stat`, optional `period` (default 300) and `metrics` (CloudWatch metric arrays). Typed `any` because metric arrays mix strings and option objects."
  type        = any

  validation {
    condition     = alltrue([for widget in var.dashboard_widgets : can(widget.title) && can(widget.stat) && can(length(widget.metrics))])
    error_message = "Each dashboard widget needs title, stat and metrics."
  }
}

variable "alarm_period_seconds" {
  description = "Evaluation period of the alarms."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.alarm_period_seconds)
    error_message = "alarm_period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
