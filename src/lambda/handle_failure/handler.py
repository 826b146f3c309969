"""Lambda entry point: `handle_failure.handler.lambda_handler` (state HandleFailure).

Input: `{"state": <the execution's data, with the catch's error>, "execution", "input"}`. Records the run
failed (state, error, cause), alerts, cleans up, and returns what it recorded; the execution then fails.
"""

from __future__ import annotations

import functools
from typing import Any

from datamart_workflow.runtime import Runtime
from platform_common import observability

from .service import handle

PIPELINE = "datamart"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _runtime() -> Runtime:
    telemetry.capture_package_logs()
    return Runtime.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome = handle(event, _runtime())
    telemetry.count("RunsFailed")
    return outcome
