"""FinalizePipeline: the run succeeded with its summary, published; what it left in staging removed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import psycopg
from datamart_workflow import cleanup
from datamart_workflow.runtime import Runtime
from platform_common.sns import Notifier

from .summary import summarize, table_rows

logger = logging.getLogger(__name__)


def finalize(event: dict[str, Any], runtime: Runtime) -> dict[str, Any]:
    run = event["run"]
    record = runtime.runs.get(run["run_id"])
    dsn = runtime.dsn()
    tables = []
    if run.get("bundle"):
        tables = runtime.store.run_bundle(runtime.settings.config_bucket, run["run_id"]).manifest["tables"]
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = table_rows(connection, tables)
    summary = summarize(run, event.get("checks", {}), rows, event["started_at"], datetime.now(UTC))
    summary["staging_tables_dropped"] = cleanup.drop_staging(dsn, run["run_id"], record.get("steps", []))
    runtime.runs.mark_succeeded(run["run_id"], summary)
    if run.get("bundle"):
        runtime.runs.release_bundle(run["bundle"], run["run_id"])
    Notifier(runtime.sns, runtime.settings.notify_topic_arn).publish(
        f"Datamart run {run['run_id']} succeeded", {"event": "datamart_run_succeeded", **summary}
    )
    logger.info("run succeeded", extra={"event": "run_succeeded", **summary})
    return summary
