"""Lambda entry point: `build_processing_plan.handler.lambda_handler` (state BuildProcessingPlan).

Input: one of the forms of datamart_workflow.requests. Returns `{run_id, plan_uri, bundle, bundle_version}`;
an invalid request or bundle raises (InvalidRequest, BundleError naming every problem), and the state
machine's catch sends it to HandleFailure.
"""

from __future__ import annotations

import functools
from typing import Any

from datamart_workflow.requests import parse_request
from datamart_workflow.runtime import Runtime
from platform_common import observability

from .service import build

PIPELINE = "datamart"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _runtime() -> Runtime:
    telemetry.capture_package_logs()
    return Runtime.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime = _runtime()
    result = build(parse_request(event, runtime.store.read_json), runtime)
    telemetry.count("RunsPlanned")
    return result
