"""HandleFailure: the failure recorded on the run, an alert, the run's staging removed."""

from __future__ import annotations

import logging
from typing import Any

from datamart_workflow import cleanup
from datamart_workflow.runtime import Runtime
from platform_common.sns import Notifier

from .failure import failure

logger = logging.getLogger(__name__)


def handle(event: dict[str, Any], runtime: Runtime) -> dict[str, Any]:
    found = failure(event["state"])
    outcome = {
        "run_id": found.run_id,
        "failed_state": found.failed_state,
        "error": found.error,
        "cause": found.cause,
        "execution": event.get("execution"),
        "input": event.get("input"),
    }
    if found.run_id:
        record = runtime.runs.mark_failed(found.run_id, found.failed_state, found.error, found.cause)
        if record.get("bundle"):
            runtime.runs.release_bundle(record["bundle"], found.run_id)
        outcome["staging_tables_dropped"] = _cleanup(runtime, found.run_id, record.get("steps", []))
    logger.error("run failed", extra={"event": "run_failed", **outcome})
    Notifier(runtime.sns, runtime.settings.alerts_topic_arn).publish(
        f"Datamart run failed in {found.failed_state}: {found.run_id or 'not planned'}",
        {"event": "datamart_run_failed", **outcome},
    )
    return outcome


def _cleanup(runtime: Runtime, run_id: str, step_ids: list[str]) -> int | None:
    """Best effort: the failure may be the database itself, and the alert must still go out."""
    try:
        return cleanup.drop_staging(runtime.dsn(), run_id, step_ids)
    except Exception:
        logger.exception(
            "staging not cleaned up", extra={"event": "staging_cleanup_failed", "run_id": run_id}
        )
        return None
