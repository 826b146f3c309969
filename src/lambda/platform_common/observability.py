"""Logs and metrics, the same in every function: one JSON object per log line, counts as EMF metrics.

Powertools for AWS Lambda does both (`Logger`, `Metrics`); this module sets them up once per function.
Terraform sets POWERTOOLS_SERVICE_NAME (the pipeline) and POWERTOOLS_METRICS_NAMESPACE (the stack's name
prefix) on every function; without them (tests, local runs) the function's own pipeline name serves for both.

Stable log fields, beside Powertools' own (`level`, `message`, `timestamp`, `service`, `name`, and per
invocation `function_request_id`, `cold_start`, ...): `pipeline`, `event` (what happened, snake_case) and
the ids it concerns (`manifest_id`, `date_prefix`, `file_key`, ...).
Metric dimensions: `pipeline` and `function`.

A function's own modules log through the standard library's `logging` and count through a `Count`, so
their code does not depend on Powertools; the function's handler connects both here.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit

PIPELINE_VARIABLE = "POWERTOOLS_SERVICE_NAME"
NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE"
LEVEL_VARIABLE = "LOG_LEVEL"


class Count(Protocol):
    """Adds `value` to the invocation's count named `name` (a CloudWatch metric name, e.g. FilesTracked)."""

    def __call__(self, name: str, value: int = 1) -> None: ...


def not_counted(name: str, value: int = 1) -> None:
    """The `Count` of code run outside a function (tests, the operator CLI): nothing is published."""


@dataclass(frozen=True)
class Telemetry:
    function: str
    pipeline: str
    logger: Logger
    metrics: Metrics

    def count(self, name: str, value: int = 1) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def invocation(self, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """The handler with its invocation's context in every log line and its counts published on return.

        Powertools keeps metrics and their dimensions per process, not per `Metrics` object, so the
        dimensions are set at each invocation: functions that share a process (the local platform, tests)
        then publish under their own.
        """

        @functools.wraps(handler)
        def invoke(event: Any, context: Any) -> Any:
            self.metrics.set_default_dimensions(pipeline=self.pipeline, function=self.function)
            return handler(event, context)

        return self.metrics.log_metrics(self.logger.inject_lambda_context(invoke))

    def capture_package_logs(self) -> None:
        """Gives the records of the function's package and of this one the logger's JSON format and keys.

        Those modules log with `logging.getLogger(__name__)`. Their records stop at the package loggers
        instead of reaching the root logger, whose Lambda handler would print them again as text. Called
        once per container, at the first invocation, so that importing a handler changes no logging.
        """
        packages = {self.function, __name__.split(".")[0]}
        for package in packages:
            logging.getLogger(package)  # registered, so that the copy finds it
        copy_config_to_registered_loggers(source_logger=self.logger, include=packages)


def for_function(function: str, pipeline: str, environ: Mapping[str, str] | None = None) -> Telemetry:
    """The logger and metrics of `function` (a package name) in `pipeline`, unless the env names another."""
    env = os.environ if environ is None else environ
    pipeline = env.get(PIPELINE_VARIABLE, "").strip() or pipeline
    namespace = env.get(NAMESPACE_VARIABLE, "").strip() or pipeline
    logger = Logger(service=pipeline, level=log_level(env))
    logger.append_keys(pipeline=pipeline)
    # An explicit empty service keeps Powertools from adding its `service` dimension: `pipeline` names it,
    # as in the Glue jobs' metrics.
    metrics = Metrics(namespace=namespace, service="")
    return Telemetry(function, pipeline, logger, metrics)


def log_level(env: Mapping[str, str]) -> str:
    value = env.get(LEVEL_VARIABLE, "").strip().upper() or "INFO"
    if not isinstance(logging.getLevelName(value), int):
        raise ValueError(f"{LEVEL_VARIABLE} must be a logging level name like INFO or DEBUG: {value!r}")
    return value
