"""Lambda entry point: `manifest_builder.handler.lambda_handler`.

One function serves three triggers: SQS batches of S3 notifications, an EventBridge schedule that sweeps
past dates (the orphan flush), and a daily one (input `{"action": "reconcile"}`) that registers objects of
the input prefix the tracking table has never seen (``reconciliation``). The configuration and AWS clients
are built once per container; each invocation's logs carry its request id, and its counts are published as
EMF metrics when it returns.
"""

from __future__ import annotations

import functools
from typing import Any

from platform_common import observability

from .events import is_scheduled_sweep
from .service import ManifestBuilder, reconcile_request

PIPELINE = "intake"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _builder() -> ManifestBuilder:
    telemetry.capture_package_logs()
    return ManifestBuilder.from_environ(count=telemetry.count)


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    builder = _builder()
    if is_scheduled_sweep(event):
        return builder.sweep()
    if reconcile_request(event):
        return builder.reconciler.run().as_dict()
    return builder.handle_sqs_batch(event.get("Records", []))
