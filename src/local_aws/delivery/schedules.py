"""EventBridge schedules → targets: rules with a `rate(...)` or `cron(...)` expression fire their targets.

moto stores the rules and targets but never fires a schedule. Here each enabled rule fires: a `rate(...)`
rule every period, the first time one period after the rule is first seen (as EventBridge does after
PutRule), `speedup` dividing every period so that a test need not wait five minutes for a sweep; a
`cron(...)` rule at each minute its expression names, in UTC (EventBridge's six fields: minutes, hours,
day of month, month, day of week, year; `,` `-` `*` `/` everywhere, `?` `L` `W` in the day of month, `?` `L`
`#` in the day of week). Each firing gives the Scheduled Event (or the target's Input) to the rule's targets
through `Targets` (delivery/events.py): Lambda, SNS, SQS or Step Functions, retried and dead-lettered
as any other event.
"""

from __future__ import annotations

import calendar
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from local_aws.delivery.events import Targets

REGION = "us-east-1"
ACCOUNT = "123456789012"
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_CRON = re.compile(r"cron\((.*)\)")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
# EventBridge's years.
LAST_YEAR = 2199

logger = logging.getLogger(__name__)


def rate_seconds(expression: str) -> int | None:
    """The period of a `rate(N unit)` expression in seconds; None for anything else (cron)."""
    match = _RATE.fullmatch(expression.strip())
    return int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")] if match else None


class CronError(ValueError):
    """A cron expression EventBridge would not accept."""


def _numbers(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """The values of a cron field made of `*`, numbers or names, ranges `a-b` and increments `/n`."""
    values: set[int] = set()

    def number(text: str) -> int:
        text = text.upper()
        value = names[text] if names and not text.isdigit() else int(text)
        if not low <= value <= high:
            raise CronError(f"{text} is out of {low}-{high}")
        return value

    for item in field.split(","):
        base, _, step = item.partition("/")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(base)
            end = high if step else start
        if start > end:
            raise CronError(f"the range {base} is reversed")
        values.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(values)


@dataclass(frozen=True)
class CronExpression:
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: str
    months: frozenset[int]
    day_of_week: str
    years: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> CronExpression:
        """`cron(fields)` or the six fields alone."""
        match = _CRON.fullmatch(expression.strip())
        fields = (match[1] if match else expression).split()
        if len(fields) != 6:
            raise CronError(f"{expression!r}: a cron expression has 6 fields, not {len(fields)}")
        minutes, hours, day_of_month, month, day_of_week, year = fields
        if (day_of_month == "?") == (day_of_week == "?"):
            raise CronError(f"{expression!r}: exactly one of day of month and day of week must be ?")
        try:
            cron = cls(
                _numbers(minutes, 0, 59),
                _numbers(hours, 0, 23),
                day_of_month.upper(),
                _numbers(month, 1, 12, _MONTHS),
                day_of_week.upper(),
                _numbers(year, 1970, LAST_YEAR),
            )
            cron.matches_day(date(2024, 2, 29))  # the day fields are read when a day is tested
        except (KeyError, ValueError) as error:
            raise CronError(f"{expression!r}: {error}") from error
        return cron

    def matches_day(self, day: date) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.day_of_month != "?":
            return any(_day_of_month_item(item, day) for item in self.day_of_month.split(","))
        return any(_day_of_week_item(item, day) for item in self.day_of_week.split(","))

    def next_after(self, moment: datetime) -> datetime | None:
        """The first minute after `moment` (UTC) that the expression names; None if there is none."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= LAST_YEAR:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
                continue
            if self.matches_day(day):
                earliest = (start.hour, start.minute) if day == start.date() else (0, 0)
                times = [
                    (h, m) for h in sorted(self.hours) for m in sorted(self.minutes) if (h, m) >= earliest
                ]
                if times:
                    return datetime(day.year, day.month, day.day, *times[0], tzinfo=UTC)
            day += timedelta(days=1)
        return None


def _day_of_month_item(item: str, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if item == "L":
        return day.day == last
    if item == "LW":
        return day == _nearest_weekday(date(day.year, day.month, last))
    if item.endswith("W"):
        wanted = int(item[:-1])
        if not 1 <= wanted <= 31:
            raise CronError(f"{item}: the day is out of 1-31")
        return wanted <= last and day == _nearest_weekday(date(day.year, day.month, wanted))
    return day.day in _numbers(item, 1, 31)


def _nearest_weekday(day: date) -> date:
    """The weekday nearest to `day` in its month (the W of a cron day of month)."""
    if day.weekday() == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - timedelta(days=1) if day.day > 1 else day + timedelta(days=2)
    if day.weekday() == 6:  # Sunday: the Monday after, or the Friday before on the month's last day
        last = calendar.monthrange(day.year, day.month)[1]
        return day + timedelta(days=1) if day.day < last else day - timedelta(days=2)
    return day


def _day_of_week_item(item: str, day: date) -> bool:
    weekday = (day.weekday() + 1) % 7 + 1  # EventBridge: 1 = Sunday ... 7 = Saturday
    if item == "L":
        return weekday == 7
    if item.endswith("L"):
        wanted = _numbers(item[:-1], 1, 7, _WEEKDAYS)
        return weekday in wanted and day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    if "#" in item:
        name, nth = item.split("#", 1)
        if not 1 <= int(nth) <= 5:
            raise CronError(f"{item}: the week is out of 1-5")
        return weekday in _numbers(name, 1, 7, _WEEKDAYS) and (day.day - 1) // 7 + 1 == int(nth)
    return weekday in _numbers(item, 1, 7, _WEEKDAYS)


def scheduled_event(rule_arn: str | None = None, moment: datetime | None = None) -> dict[str, Any]:
    """The event an EventBridge schedule sends its targets."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule_arn] if rule_arn else [],
        "detail": {},
    }


class Schedules:
    """`clock`: seconds, for rates; `utcnow`: the wall clock, for crons (both injectable for tests)."""

    def __init__(
        self,
        client: Callable[[str], Any],
        targets: Targets,
        speedup: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._events = client("events")
        self._targets = targets
        self._speedup = speedup
        self._clock = clock
        self._utcnow = utcnow
        self._next_due: dict[str, float] = {}
        self._next_cron: dict[str, datetime | None] = {}
        self._crons: dict[str, CronExpression | None] = {}

    def deliver_due(self) -> list[str]:
        """Fires every schedule now due; returns the names of the rules fired."""
        fired = []
        now, wall_now = self._clock(), self._utcnow()
        for rule in self._rules():
            expression = rule.get("ScheduleExpression", "")
            if not expression or rule.get("State") != "ENABLED":
                continue
            period = rate_seconds(expression)
            if period is not None:
                due = self._next_due.setdefault(rule["Arn"], now + period / self._speedup)
                if now < due:
                    continue
                self._next_due[rule["Arn"]] = now + period / self._speedup
            else:
                cron = self._cron(rule["Name"], expression)
                if cron is None:
                    continue
                due_at = self._next_cron.setdefault(rule["Arn"], cron.next_after(wall_now))
                if due_at is None or wall_now < due_at:
                    continue
                self._next_cron[rule["Arn"]] = cron.next_after(wall_now)
            self._fire(rule, wall_now)
            fired.append(rule["Name"])
        return fired

    def _cron(self, rule_name: str, expression: str) -> CronExpression | None:
        if expression not in self._crons:
            try:
                self._crons[expression] = CronExpression.parse(expression)
            except CronError as error:
                logger.error("schedule %s is never fired: %s", rule_name, error)
                self._crons[expression] = None
        return self._crons[expression]

    def _rules(self) -> list[dict[str, Any]]:
        return [
            rule for page in self._events.get_paginator("list_rules").paginate() for rule in page["Rules"]
        ]

    def _fire(self, rule: dict[str, Any], moment: datetime) -> None:
        targets = self._events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        logger.info("schedule %s: %d target(s)", rule["Name"], len(targets))
        self._targets.deliver(rule, targets, scheduled_event(rule["Arn"], moment))
