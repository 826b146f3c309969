"""BuildProcessingPlan: the request → the bundle's deployed version, the sources, the plan on S3, the run."""

from __future__ import annotations

import logging
from typing import Any

from datamart_workflow import planning
from datamart_workflow.requests import Request
from datamart_workflow.runtime import Runtime

logger = logging.getLogger(__name__)


def build(request: Request, runtime: Runtime, dry_run: bool = False) -> dict[str, Any]:
    if request.replay:
        return replay(request.replay, runtime)
    settings = runtime.settings
    if request.bundle:
        bundle = runtime.store.deployed_bundle(settings.config_bucket, request.bundle)
        planned = planning.plan_bundle_run(
            request, bundle, settings.config_bucket, settings.intake_bucket, settings.intake_parquet_prefix
        )
    else:
        bundle = None
        planned = planning.plan_loads_run(request, settings.config_bucket)
    runtime.store.require_sources(planned.sources)
    result = {
        "run_id": planned.run_id,
        "plan_uri": planned.plan_uri,
        "bundle": planned.bundle,
        "bundle_version": planned.bundle_version,
    }
    if dry_run:
        return {**result, "dry_run": True, "plan": planned.plan}
    if planned.bundle:
        runtime.runs.acquire_bundle(planned.bundle, planned.run_id)
    runtime.store.write_run(settings.config_bucket, planned, bundle)
    record = runtime.runs.record_planned(planned.record())
    logger.info(
        "run planned",
        extra={"event": "run_planned", "run_id": planned.run_id, "attempts": record["attempts"], **result},
    )
    return result


def replay(run_id: str, runtime: Runtime) -> dict[str, Any]:
    """The recorded run once more, with its plan and its copy of the bundle: the engine resumes it."""
    record = runtime.runs.get(run_id)
    if record.get("bundle"):
        runtime.runs.acquire_bundle(record["bundle"], run_id)
    fields = ("run_id", "plan_uri", "bundle", "bundle_version")
    again = runtime.runs.record_planned({name: record.get(name) for name in fields})
    logger.info(
        "run replayed", extra={"event": "run_replayed", "run_id": run_id, "attempts": again["attempts"]}
    )
    return {name: record.get(name) for name in fields}
