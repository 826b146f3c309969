"""Lambda entry point: `file_router.handler.lambda_handler`.

Two callers: EventBridge, with S3 "Object Created" events of the landing bucket (the result is the
decision, `{"status": ...}`), and the routing state machine's last step (`{"settle": ...}`), which
archives the file or sets it aside as failed. The settings, the clients and the config cache live as long
as the container; a missing or invalid config at the first read fails the invocation, which EventBridge
retries and then dead-letters.
"""

from __future__ import annotations

import functools
from typing import Any

from platform_common import observability

from .events import is_settle_request, parse_object_created, parse_settle
from .service import Router
from .settings import Settings

PIPELINE = "router"

telemetry = observability.for_function(__package__, PIPELINE)


@functools.cache
def _router() -> Router:
    telemetry.capture_package_logs()
    return Router.from_settings(Settings.from_environ(), count=telemetry.count)


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    router = _router()
    if is_settle_request(event):
        return router.settle(parse_settle(event))
    return router.handle(parse_object_created(event))
