"""EventBridge: every event that reaches a bus is kept in a journal for delivery, instead of moto's delivery.

moto 5.2 delivers PutEvents to a matching rule's CloudWatch Logs, archive and SQS targets only; moto's
Rule.send_to_targets (events/models.py) refuses every other target type, so PutEvents on a bus with a rule
that targets a Lambda function, an SNS topic or a state machine fails with HTTP 500. It also ignores a
rule's state (a DISABLED rule still delivers), gives events a numeric `time` instead of AWS's ISO 8601, and no
AWS service in it emits its own events except S3, whose events it shapes unlike AWS (bridges/s3.py).

Here PutEvents validates its entries as moto does and answers at once with the event ids, and each event,
like every event the emulated services emit (S3, Glue, Step Functions: `put_event`), is appended to the
journal of the emulator's process. Delivery is the live platform's: local_aws.delivery.events reads the
journal through `GET /moto-api/local-aws/events?after=SEQ&wait=SECONDS` (long poll) and matches each event
against the bus's rules, in the process that runs the functions, asynchronously as EventBridge delivers.
Without a reader nothing is delivered (the journal keeps the last JOURNAL_SIZE events).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.events.models import EventsBackend
from moto.moto_api._internal import urls as moto_api_urls

logger = logging.getLogger(__name__)

moto_put_events = EventsBackend.put_events

JOURNAL_PATH = "/moto-api/local-aws/events"
JOURNAL_SIZE = 10_000
# A reader's long poll is answered at the latest after this, events or not.
MAX_WAIT_SECONDS = 20.0


class EventJournal:
    """The events that reached a bus, numbered in arrival order; readers keep their own position."""

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._last = 0
        self._changed = threading.Condition()

    def append(self, bus: str, event: dict[str, Any]) -> None:
        with self._changed:
            if len(self._entries) == self._entries.maxlen:
                logger.warning(
                    "event journal full: the oldest event (%s) is dropped", self._entries[0]["seq"]
                )
            self._last += 1
            self._entries.append({"seq": self._last, "bus": bus, "event": event})
            self._changed.notify_all()

    def read(self, after: int | None, wait_seconds: float = 0.0) -> dict[str, Any]:
        """The entries after `after` (none, with the current position, for None: a new reader starts now)."""
        with self._changed:
            if after is not None:
                self._changed.wait_for(
                    lambda: self._last > after, timeout=min(wait_seconds, MAX_WAIT_SECONDS)
                )
            entries = [] if after is None else [entry for entry in self._entries if entry["seq"] > after]
            return {"last": self._last, "events": entries}


journal = EventJournal()


def event_time(moment: datetime | None = None) -> str:
    """An event's `time` as EventBridge writes it: UTC, ISO 8601 to the second."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_event(
    account_id: str,
    region: str,
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    resources: list[str] | None = None,
) -> dict[str, Any]:
    """An event as an AWS service sends it to the default bus."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account_id,
        "time": event_time(),
        "region": region,
        "resources": resources or [],
        "detail": detail,
    }


def put_event(event: dict[str, Any], bus: str = "default") -> None:
    """An event reaches `bus`: kept for delivery."""
    journal.append(bus, event)


def _put_events(self: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(events) > 10:
        from moto.events.exceptions import ValidationException

        raise ValidationException(
            "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy "
            "constraint: Member must have length less than or equal to 10"
        )
    entries = []
    for entry in events:
        error = _entry_error(entry)
        if error is not None:
            entries.append(error)
            continue
        bus = self._normalize_event_bus_arn(entry.get("EventBusName"))
        self.describe_event_bus(bus)  # an unknown bus fails the call, as moto answers it
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.account_id,
            "time": event_time(
                datetime.fromtimestamp(float(entry["Time"]), UTC) if entry.get("Time") is not None else None
            ),
            "region": self.region_name,
            "resources": entry.get("Resources", []),
            "detail": json.loads(entry["Detail"]),
        }
        put_event(event, bus)
        entries.append({"EventId": event["id"]})
    return entries


def _entry_error(entry: dict[str, Any]) -> dict[str, str] | None:
    """moto's validation of one PutEvents entry (its error codes and messages)."""
    for field in ("Source", "DetailType", "Detail"):
        if not entry.get(field):
            return {
                "ErrorCode": "InvalidArgument",
                "ErrorMessage": f"Parameter {field} is not valid. Reason: {field} is a required argument.",
            }
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    if not isinstance(detail, dict):
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    return None


def _journal_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    query = parse_qs(urlparse(full_url).query)
    after = int(query["after"][0]) if "after" in query else None
    wait_seconds = float(query.get("wait", ["0"])[0])
    return 200, {"Content-Type": "application/json"}, json.dumps(journal.read(after, wait_seconds))


def install() -> None:
    EventsBackend.put_events = _put_events
    # Read when moto's server first routes a /moto-api/ request, which is after install().
    moto_api_urls.url_paths["{0}" + JOURNAL_PATH] = _journal_response
