"""The intake's event sources driven step by step, for a stack applied to the emulator.

`LocalPipeline` does on request what the live platform (local_aws.live) does in a loop: it drains the
intake queue into the manifest builder through its event source mapping (delivery/sqs.py), invokes the
orphan sweep with the schedule's event (delivery/schedules.py), delivers the events that reached the
buses since it was created to their rules' targets (delivery/events.py), and waits for the state machine's
executions, which run in the emulator's Step Functions interpreter (with the Glue runner doing each job
run). The integration tests and the end-to-end benchmark use it to run a scenario to its end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from local_aws.delivery.events import EventDelivery, Targets
from local_aws.delivery.schedules import scheduled_event
from local_aws.delivery.sqs import QueueDelivery, QueueRun, queue_mappings
from local_aws.functions import LocalFunctions

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class LocalPipeline:
    def __init__(
        self,
        client: Callable[[str], Any],
        outputs: Mapping[str, Any],
        emulator_env: Mapping[str, str],
        log: Callable[[str], None] = print,
        function_log: Path | None = None,
    ) -> None:
        """`client`: a boto3 client factory bound to the emulator; `outputs`: the stack's outputs."""
        self._client = client
        self.outputs = dict(outputs)
        self._log = log
        self.functions = LocalFunctions(client, emulator_env, function_log)
        # Retries after 0.1 s, doubling: a failing target is given up within seconds, not minutes.
        self.events = EventDelivery(client, Targets(client, self.functions, retry_seconds=0.1))

    @property
    def function_name(self) -> str:
        return self.outputs["manifest_builder_function_name"]

    def function_environment(self) -> dict[str, str]:
        """The deployed function's environment variables, as Lambda would give them to the handler."""
        return self.functions.configuration(self.function_name).get("Environment", {}).get("Variables", {})

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.functions.invoke(self.function_name, event)

    def close(self) -> None:
        self.functions.close()

    def drain_queue(self, max_invocations: int = 10_000) -> QueueRun:
        """Invokes the manifest builder with batches of the intake queue's messages until it is empty.

        Messages the handler reports failed are retried at once (not after the visibility timeout).
        """
        (mapping,) = queue_mappings(self._client, self.function_name)
        delivery = QueueDelivery(self._client, self.functions, mapping)
        while delivery.run.invocations < max_invocations:
            if not delivery.deliver(retry_failed_at_once=True):
                return delivery.run
        raise RuntimeError(f"the intake queue was still not empty after {max_invocations} invocations")

    def sweep(self) -> dict[str, Any]:
        """The orphan sweep, invoked with the event the EventBridge schedule sends."""
        return self.invoke(scheduled_event())

    def deliver_events(self, timeout_seconds: float = 60) -> int:
        """Delivers every event that reached a bus, with its retries; returns the deliveries attempted."""
        return self.events.drain(timeout_seconds)

    def executions(self) -> list[dict[str, Any]]:
        paginator = self._client("stepfunctions").get_paginator("list_executions")
        return [
            execution
            for page in paginator.paginate(stateMachineArn=self.outputs["state_machine_arn"])
            for execution in page["executions"]
        ]

    def wait_for_executions(self, timeout_seconds: float = 600, poll_seconds: float = 0.5) -> list[dict]:
        """Waits until every execution of the state machine has ended; returns them all."""
        deadline = time.monotonic() + timeout_seconds
        last_report = None
        while True:
            executions = self.executions()
            running = [e for e in executions if e["status"] not in TERMINAL]
            report = (len(executions) - len(running), len(executions))
            if report != last_report:
                self._log(f"executions finished: {report[0]}/{report[1]}")
                last_report = report
            if not running:
                return executions
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(running)} execution(s) still running after {timeout_seconds} s")
            time.sleep(poll_seconds)
