"""CheckResults: every planned step applied with its rows accounted for, then every declared check passes."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from datamart_workflow.runtime import Runtime

from . import verification

logger = logging.getLogger(__name__)


class ChecksFailed(RuntimeError):
    """The run's load or its data breaks a rule; the message names every failing step and check."""


def check(run: dict[str, Any], runtime: Runtime) -> dict[str, Any]:
    run_id = run["run_id"]
    plan = runtime.store.read_plan(run["plan_uri"])
    bundle = runtime.store.run_bundle(runtime.settings.config_bucket, run_id) if run.get("bundle") else None
    checks = [(check, bundle.text(check["script"])) for check in bundle.checks] if bundle else []
    with psycopg.connect(runtime.dsn(), autocommit=True) as connection:
        problems, loads = verification.ledger_problems(plan, verification.read_ledger(connection, run_id))
        # Checks read what the steps wrote: meaningless, and noisy, on a load that did not complete.
        check_failures, results = ([], []) if problems else verification.check_problems(connection, checks)
    problems += check_failures
    if problems:
        logger.warning(
            "run failed its checks", extra={"event": "checks_failed", "run_id": run_id, "problems": problems}
        )
        raise ChecksFailed(f"run {run_id}: " + "; ".join(problems))
    outcome = {"loads": loads, "checks": results}
    runtime.runs.mark_checked(run_id, outcome)
    logger.info("run checked", extra={"event": "run_checked", "run_id": run_id, "checks": len(results)})
    return outcome
