"""Lambda entry point: `upload_config.handler.lambda_handler`.

A bad event, or a payload that breaks its schema, raises `InvalidRequest` (`InvalidConfig` lists every
violation) before anything is written; Lambda reports it as the invocation's error. The settings and the
S3 client are built once per container.
"""

from __future__ import annotations

import functools
from typing import Any

from platform_common import observability

from .config import Settings
from .request import InvalidConfig, parse_request
from .service import upload
from .store import ConfigStore, s3_client

PIPELINE = "utilities"

telemetry = observability.for_function(__package__, PIPELINE)
logger = telemetry.logger


@functools.cache
def _runtime() -> tuple[ConfigStore, Settings]:
    return ConfigStore(s3_client()), Settings.from_environ()


@telemetry.invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = parse_request(event)
    store, settings = _runtime()
    try:
        result = upload(store, settings, request)
    except InvalidConfig as error:
        logger.warning(
            "config refused",
            extra={
                "event": "config_refused",
                "kind": request.kind,
                "violations": [str(v) for v in error.violations],
            },
        )
        telemetry.count("ConfigsRefused")
        raise
    logger.info("config uploaded", extra={"event": "config_uploaded", **result})
    telemetry.count("ConfigsUploaded")
    return result
