"""Let a Python callable do the work of each Glue job run started in the emulator.

moto's job runs succeed on their own (their state only advances with time or reads), so a state
machine waiting on `glue:startJobRun.sync` could never see the real job fail. With a runner set,
each StartJobRun calls `runner(job_name, arguments)` in a background thread; the run stays RUNNING
until the runner returns (SUCCEEDED) or raises (FAILED, ErrorMessage = the exception text).

moto checks MaxConcurrentRuns and then adds the run, so concurrent starts (executions of a backlog) could
all pass the check; Glue's check and start are one step, and here a lock makes them one too.

Glue sends a `Glue Job State Change` event to EventBridge when a run ends; moto sends none. A run done by
a runner sends it when it ends (bridges/events.py), as AWS shapes it: source `aws.glue`, detail `jobName`,
`severity`, `state`, `jobRunId`, `message`.

GetConnection: moto leaves out the connection's ConnectionType and MatchCriteria, so Terraform plans an
update of every connection (the datamart's NETWORK connection) on every plan. Glue returns them as created.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.core.utils import utcnow
from moto.glue.models import FakeConnection, FakeJobRun, GlueBackend

from local_aws.bridges import events

logger = logging.getLogger(__name__)

GlueRunner = Callable[[str, dict[str, str]], None]

# What Glue's state change events say of each final state: (severity, message).
_STATE_EVENTS = {
    "SUCCEEDED": ("INFO", "Job run succeeded"),
    "FAILED": ("ERROR", None),  # the run's error message
    "TIMEOUT": ("WARN", "Job run timed out"),
    "STOPPED": ("INFO", "Job run stopped"),
}

# Asked at each StartJobRun, because the runner may belong to another process (runner_endpoint.py).
_runner_lookup: Callable[[], GlueRunner | None] | None = None
_moto_start_job_run = GlueBackend.start_job_run
_starting = threading.Lock()
_moto_connection_as_dict = FakeConnection.as_dict


class RunnerDrivenJobRun(FakeJobRun):
    """A moto job run whose state is set by its runner instead of moto's state transitions."""

    runner_state = "RUNNING"
    error_message: str | None = None
    # Set at the start: the event names the run's account and region.
    account_id: str
    region_name: str

    @property
    def status(self) -> str:
        return self.runner_state

    @status.setter
    def status(self, value: str) -> None:
        self.runner_state = value

    def finish(self, state: str, error_message: str | None = None) -> None:
        self.error_message = error_message
        self.completed_on = self.modified_on = utcnow()
        self.runner_state = state
        severity, message = _STATE_EVENTS[state]
        detail = {
            "jobName": self.job_name,
            "severity": severity,
            "state": state,
            "jobRunId": self.job_run_id,
            "message": message or error_message or "",
        }
        events.put_event(
            events.service_event(
                self.account_id, self.region_name, "aws.glue", "Glue Job State Change", detail
            )
        )

    def as_dict(self) -> dict[str, Any]:
        job_run = super().as_dict()
        if self.runner_state == "RUNNING":
            del job_run["CompletedOn"]
            job_run["ExecutionTime"] = int((utcnow() - self.started_on).total_seconds())
        else:
            job_run["ExecutionTime"] = int((self.completed_on - self.started_on).total_seconds())
        if self.error_message is not None:
            job_run["ErrorMessage"] = self.error_message
        return job_run


def set_runner_lookup(lookup: Callable[[], GlueRunner | None] | None) -> None:
    """Where StartJobRun finds the runner for a new run; None (or a lookup answering None): moto's way."""
    global _runner_lookup
    _runner_lookup = lookup


def _start_job_run(self: GlueBackend, name: str, *args: Any, **kwargs: Any) -> str:
    runner = _runner_lookup() if _runner_lookup else None
    with _starting:
        run_id = _moto_start_job_run(self, name, *args, **kwargs)
        if runner is None:
            return run_id
        job_run = next(run for run in self.get_job(name).job_runs if run.job_run_id == run_id)
        # Both classes share one instance layout: switching the class hands the state to the runner
        # while moto keeps storing and serialising the run as before.
        job_run.__class__ = RunnerDrivenJobRun
        job_run.account_id, job_run.region_name = self.account_id, self.region_name
    thread = threading.Thread(
        target=_run, args=(runner, job_run), name=f"glue-run-{name}-{run_id[:12]}", daemon=True
    )
    thread.start()
    return run_id


def _run(runner: GlueRunner, job_run: RunnerDrivenJobRun) -> None:
    try:
        runner(job_run.job_name, dict(job_run.arguments or {}))
    # A runner that exits or is interrupted must still end its run, or its execution waits forever.
    except BaseException as error:
        # The runner's traceback belongs to the process that owns it (runner_endpoint.py logs it there).
        logger.warning("Glue job run %s of %s failed: %s", job_run.job_run_id, job_run.job_name, error)
        job_run.finish("FAILED", str(error) or type(error).__name__)
    else:
        job_run.finish("SUCCEEDED")


def _connection_as_dict(self: FakeConnection, *args: Any, **kwargs: Any) -> dict[str, Any]:
    described = _moto_connection_as_dict(self, *args, **kwargs)
    for field in ("ConnectionType", "MatchCriteria"):
        if field in self.connection_input:
            described[field] = self.connection_input[field]
    return described


def install() -> None:
    GlueBackend.start_job_run = _start_job_run
    FakeConnection.as_dict = _connection_as_dict
