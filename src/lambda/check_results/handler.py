"""Lambda entry point: `check_results.handler.lambda_handler` (state CheckResults).

Input: `{"run": {run_id, plan_uri, bundle, ...}}` (BuildProcessingPlan's result). Returns the load steps'
counts and the checks passed; any failure raises ChecksFailed naming every failing step and check.
"""

from __future__ import annotations

import functools
from typing import Any

from datamart_workflow.runtime import Runtime
from platform_common import observability

from .service import ChecksFailed, check

PIPELINE = "datamart"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _runtime() -> Runtime:
    telemetry.capture_package_logs()
    return Runtime.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        result = check(event["run"], _runtime())
    except ChecksFailed:
        telemetry.count("RunChecksFailed")
        raise
    telemetry.count("RunsChecked")
    return result
