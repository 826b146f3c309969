"""Lambda entry point: `download_zip.handler.lambda_handler`.

A bad event raises `InvalidRequest` naming the field, before anything is written; a run that would outlast
the invocation stops `SAFETY_SECONDS` before its timeout with `OutOfTime`, the upload aborted. Lambda
reports either as the invocation's error. The settings and the S3 client are built once per container.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from platform_common import observability

from .aws import s3_client
from .config import Settings
from .request import parse_request
from .service import zip_prefix

PIPELINE = "utilities"

telemetry = observability.for_function(__package__, PIPELINE)
logger = telemetry.logger

# Left before Lambda's timeout to abort the upload (waiting for the parts in flight) and report.
SAFETY_SECONDS = 20


@functools.cache
def _runtime() -> tuple[Any, Settings]:
    return s3_client(), Settings.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = parse_request(event)
    s3, settings = _runtime()
    logger.info("zipping prefix", extra={"event": "zip_started", "source": request.source_uri})
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - SAFETY_SECONDS
    result = zip_prefix(s3, request, settings, deadline)
    logger.info("zip written", extra={"event": "zip_finished", **result})
    telemetry.count("FilesZipped", result["files"])
    telemetry.count("FilesSkipped", result["skipped"])
    return result
