"""Lambda entry point: `manifest_builder.handler.lambda_handler`.

One function serves two triggers: SQS batches of S3 notifications, and an EventBridge schedule that sweeps
past dates (the orphan flush). The configuration and AWS clients are built once per container.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from .events import is_scheduled_sweep
from .service import ManifestBuilder

logger = logging.getLogger(__name__)


@functools.cache
def _builder() -> ManifestBuilder:
    builder = ManifestBuilder.from_environ()
    logging.getLogger().setLevel(builder.config.log_level)
    return builder


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    builder = _builder()
    if is_scheduled_sweep(event):
        return builder.sweep()
    return builder.handle_sqs_batch(event.get("Records", []))
