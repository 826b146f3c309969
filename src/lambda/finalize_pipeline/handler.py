"""Lambda entry point: `finalize_pipeline.handler.lambda_handler` (state FinalizePipeline).

Input: `{"run", "checks", "started_at"}` (the execution's start time). Returns the run's summary.
"""

from __future__ import annotations

import functools
from typing import Any

from datamart_workflow.runtime import Runtime
from platform_common import observability

from .service import finalize

PIPELINE = "datamart"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _runtime() -> Runtime:
    telemetry.capture_package_logs()
    return Runtime.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    summary = finalize(event, _runtime())
    telemetry.count("RunsSucceeded")
    telemetry.count("RowsRejected", summary["rejected"])
    return summary
