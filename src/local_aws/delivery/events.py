"""Events → EventBridge rules → state machines: what AWS puts on the default bus and moto does not.

moto stores rules and targets, but neither emits Step Functions' "Execution Status Change" events nor starts
a state machine target. `deliver(client, event)` matches one event against every enabled rule of the
default bus (moto's own pattern matcher) and starts each matching rule's state machine targets with the
target's input: its input transformer applied to the event, its Input, or the event itself. That is how the
datamart load runs after the intake locally (the dev stack's `dm-after-intake` rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventPattern, EventPatternParser

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


def execution_status_change(execution: dict[str, Any], account: str = "123456789012") -> dict[str, Any]:
    """The event AWS sends when an execution (a DescribeExecution answer) ends."""
    arn = execution["executionArn"]
    return {
        "version": "0",
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "account": account,
        "region": arn.split(":")[3],
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [arn],
        "detail": {
            "executionArn": arn,
            "stateMachineArn": execution["stateMachineArn"],
            "name": execution["name"],
            "status": execution["status"],
            "input": execution.get("input"),
            "output": execution.get("output"),
        },
    }


def target_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    """What EventBridge sends the target for `event`."""
    transformer = target.get("InputTransformer")
    if transformer:
        values = {name: _at(event, path) for name, path in transformer.get("InputPathsMap", {}).items()}
        return _PLACEHOLDER.sub(lambda match: json.dumps(values[match[1]]), transformer["InputTemplate"])
    return target.get("Input") or json.dumps(event)


def deliver(client: Callable[[str], Any], event: dict[str, Any]) -> list[str]:
    """Starts the state machine targets of every enabled rule matching `event`; their execution ARNs."""
    events, sfn = client("events"), client("stepfunctions")
    started = []
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            if rule.get("State") != "ENABLED" or not rule.get("EventPattern"):
                continue
            pattern = EventPattern(rule["EventPattern"], EventPatternParser(rule["EventPattern"]).parse())
            if not pattern.matches_event(event):
                continue
            for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                if ":states:" in target["Arn"] and ":stateMachine:" in target["Arn"]:
                    answer = sfn.start_execution(
                        stateMachineArn=target["Arn"], input=target_input(target, event)
                    )
                    started.append(answer["executionArn"])
    return started


def _at(document: Any, path: str) -> Any:
    """The value at a simple JSONPath (`$.detail.name`)."""
    for part in path.removeprefix("$").strip(".").split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


class ExecutionEvents:
    """The live platform's delivery of "Execution Status Change" events: each execution that ended since the
    last pass, once, to the rules (the datamart's run after each completed intake manifest)."""

    def __init__(self, client: Callable[[str], Any]) -> None:
        self._client = client
        self._delivered: set[str] = set()

    def deliver_ended(self) -> int:
        """Delivers the events of the executions that ended since the last pass; how many."""
        sfn = self._client("stepfunctions")
        count = 0
        for machines in sfn.get_paginator("list_state_machines").paginate():
            for machine in machines["stateMachines"]:
                pages = sfn.get_paginator("list_executions").paginate(
                    stateMachineArn=machine["stateMachineArn"]
                )
                for execution in (e for page in pages for e in page["executions"]):
                    if execution["status"] == "RUNNING" or execution["executionArn"] in self._delivered:
                        continue
                    self._delivered.add(execution["executionArn"])
                    described = sfn.describe_execution(executionArn=execution["executionArn"])
                    deliver(self._client, execution_status_change(described))
                    count += 1
        return count
