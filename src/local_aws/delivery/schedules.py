"""EventBridge schedules → Lambda: the rules with a `rate(...)` expression invoke their Lambda targets.

moto stores the rules and targets but never fires a schedule. Here each enabled rule's Lambda targets are
invoked every period, the first time one period after the rule is first seen (as EventBridge does after
PutRule), with the rule's target Input or else the Scheduled Event EventBridge sends. `speedup` divides
every period, so a test need not wait five minutes for a sweep. `cron(...)` expressions are not fired:
no rule of the stacks has one yet.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local_aws.functions import LocalFunctions, function_name

REGION = "us-east-1"
ACCOUNT = "123456789012"
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}

logger = logging.getLogger(__name__)


def rate_seconds(expression: str) -> int | None:
    """The period of a `rate(N unit)` expression in seconds; None for anything else (cron)."""
    match = _RATE.fullmatch(expression.strip())
    return int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")] if match else None


def scheduled_event(rule_arn: str | None = None) -> dict[str, Any]:
    """The event an EventBridge schedule sends its targets."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule_arn] if rule_arn else [],
        "detail": {},
    }


class Schedules:
    def __init__(
        self,
        client: Callable[[str], Any],
        functions: LocalFunctions,
        speedup: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._events = client("events")
        self._functions = functions
        self._speedup = speedup
        self._clock = clock
        self._next_due: dict[str, float] = {}

    def deliver_due(self) -> list[str]:
        """Invokes the targets of every schedule now due; returns the names of the rules fired."""
        fired = []
        now = self._clock()
        for rule in self._rules():
            period = rate_seconds(rule.get("ScheduleExpression", ""))
            if period is None or rule.get("State") != "ENABLED":
                continue
            due = self._next_due.setdefault(rule["Arn"], now + period / self._speedup)
            if now < due:
                continue
            self._next_due[rule["Arn"]] = now + period / self._speedup
            self._fire(rule)
            fired.append(rule["Name"])
        return fired

    def _rules(self) -> list[dict[str, Any]]:
        return [
            rule for page in self._events.get_paginator("list_rules").paginate() for rule in page["Rules"]
        ]

    def _fire(self, rule: dict[str, Any]) -> None:
        for target in self._events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
            name = function_name(target["Arn"])
            if name is None:
                continue
            event = json.loads(target["Input"]) if target.get("Input") else scheduled_event(rule["Arn"])
            logger.info("schedule %s: invoking %s", rule["Name"], name)
            # An asynchronous invocation: its failure is the function's, logged, and the schedule goes on.
            try:
                self._functions.invoke(name, event)
            except Exception:
                logger.exception("schedule %s: %s failed", rule["Name"], name)
