"""Which state failed and why, from the execution's data when a catch sent it to HandleFailure.

Every state's catch puts its error at `$.error` (`{"Error", "Cause"}`); each state that succeeded left its
result at its own path, so the failed state is the first whose result is missing. The cause is made
readable: a Lambda's `errorMessage`, a Glue run's `ErrorMessage` (the engine's message: the step, the script,
PostgreSQL's error).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# The states in order, with the path of their result (asl/datamart_load.asl.json.tftpl).
STATES = (
    ("BuildProcessingPlan", "run"),
    ("RunLoad", "load"),
    ("CheckResults", "checks"),
    ("FinalizePipeline", "summary"),
)


@dataclass(frozen=True)
class Failure:
    run_id: str | None
    failed_state: str
    error: str
    cause: str


def failure(state: dict[str, Any]) -> Failure:
    failed_state = next((name for name, path in STATES if path not in state), STATES[-1][0])
    error = state.get("error") or {}
    run = state.get("run") or {}
    return Failure(
        run_id=run.get("run_id"),
        failed_state=failed_state,
        error=str(error.get("Error") or "States.Unknown"),
        cause=readable_cause(error.get("Cause")),
    )


def readable_cause(cause: Any) -> str:
    if not isinstance(cause, str):
        return "" if cause is None else json.dumps(cause)
    try:
        document = json.loads(cause)
    except json.JSONDecodeError:
        return cause
    if isinstance(document, dict):
        for field in ("errorMessage", "ErrorMessage"):
            if document.get(field):
                return str(document[field])
    return cause
