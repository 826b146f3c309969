"""The invocation event: `{"kind", "payload" | "source", "dry_run"}`, checked before anything is read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_common.schemas import KINDS


class InvalidRequest(ValueError):
    """The event, or the config it carries, is refused; the message names the field. Nothing was written."""


class InvalidConfig(InvalidRequest):
    """The payload breaks its kind's rules; the message lists every violation, one per line."""

    def __init__(self, kind: str, violations: list[Any]) -> None:
        self.violations = violations
        lines = "\n".join(f"  {violation}" for violation in violations)
        super().__init__(f"{kind} payload refused, {len(violations)} violation(s):\n{lines}")


@dataclass(frozen=True)
class UploadRequest:
    kind: str
    payload: Any = None
    source: str | None = None
    dry_run: bool = False


def parse_request(event: Mapping[str, Any]) -> UploadRequest:
    if not isinstance(event, Mapping):
        raise InvalidRequest(f"the event must be a JSON object, not {type(event).__name__}")
    kind = event.get("kind")
    if kind not in KINDS:
        raise InvalidRequest(f"kind must be one of {', '.join(KINDS)}: {kind!r}")
    dry_run = event.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise InvalidRequest(f"dry_run must be true or false: {dry_run!r}")
    if ("payload" in event) == ("source" in event):
        raise InvalidRequest("give exactly one of payload (the config itself) or source (an s3:// URI of it)")
    if "payload" in event:
        return UploadRequest(kind, payload=event["payload"], dry_run=dry_run)
    source = event["source"]
    if not isinstance(source, str) or not source.startswith("s3://") or "/" not in source[len("s3://") :]:
        raise InvalidRequest(f"source must be an s3://bucket/key URI: {source!r}")
    return UploadRequest(kind, source=source, dry_run=dry_run)
