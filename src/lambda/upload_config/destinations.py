"""The key each kind is written to."""

from __future__ import annotations

import hashlib
from typing import Any

from .config import Settings


def destination_key(kind: str, payload: Any, settings: Settings) -> str:
    """The router reads one fixed key; a run request gets a name derived from what it asks for, so the same
    request sent twice is a new version of one object rather than a second run request."""
    if kind == "router_config":
        return settings.router_config_key
    return f"{settings.run_requests_prefix}{run_request_name(payload)}.json"


def run_request_name(payload: dict[str, Any]) -> str:
    if "run_date" in payload:
        return f"{payload['bundle']}-{payload['run_date']}"
    digest = hashlib.sha256("\n".join(sorted(payload["sources"])).encode("utf-8")).hexdigest()
    return f"{payload['bundle']}-sources-{digest[:16]}"
