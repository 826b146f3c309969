"""BuildProcessingPlan's input, checked: one of the forms below, or InvalidRequest naming the field.

{"bundle", "date_prefix" | "run_date"}      a business date: the intake's Parquet of that date
{"bundle", "manifest_ids": [...]}           intake manifests (the chain after the intake sends one)
{"bundle", "sources": ["s3://...", ...]}     explicit objects or prefixes instead of the intake's
{"loads": [...], "origin": {...}, "run_id"}  the file router's loads, no bundle (run_id optional)
{"run_request": {"bucket", "key"}}          a run request written under config/runs/ (its arrival event):
                                            read and validated against schemas/datamart_run.schema.json
{"replay": "<run_id>"}                       a recorded run again, with the plan it was planned with
{"bundle", "scheduled_time": "…T…Z"}        a bundle's schedule (the EventBridge event's time): the day
                                            before, the last one the intake completed
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from platform_common import schemas
from platform_common.s3 import split_s3_uri

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The intake's manifest ids start with their date (manifest_builder.manifests.new_manifest_id).
MANIFEST_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})-[A-Za-z0-9-]{1,80}$")
RUN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
LOAD_FIELDS = ("id", "source_uris", "format", "target_table", "upsert_keys")
FORMATS = ("csv", "parquet", "ndjson")


class InvalidRequest(ValueError):
    """The workflow's input is not one of its forms; the message names the field."""


@dataclass(frozen=True)
class Request:
    bundle: str | None = None
    date_prefix: str | None = None
    manifest_ids: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    loads: tuple[dict[str, Any], ...] = ()
    origin: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    requested_by: str | None = None
    replay: str | None = None

    def identity(self) -> dict[str, Any]:
        """What the request asks for, canonical: the run id is derived from it and the bundle version."""
        return {
            name: value
            for name, value in (
                ("bundle", self.bundle),
                ("date_prefix", self.date_prefix),
                ("manifest_ids", sorted(self.manifest_ids)),
                ("sources", list(self.sources)),
                ("loads", list(self.loads)),
                ("origin", self.origin),
            )
            if value
        }


def parse_request(event: Any, read_json=None) -> Request:
    """`read_json(bucket, key)` reads a run request written under config/runs/."""
    if not isinstance(event, dict):
        raise InvalidRequest("the input must be a JSON object")
    if "replay" in event:
        if not isinstance(event["replay"], str) or not RUN_ID.match(event["replay"]):
            raise InvalidRequest(f"replay must name a run id, got {event['replay']!r}")
        return Request(replay=event["replay"])
    if "run_request" in event:
        return _run_request(event["run_request"], read_json)
    if "loads" in event:
        return _loads(event)
    return _bundle_request(event)


def _run_request(reference: Any, read_json) -> Request:
    if not isinstance(reference, dict) or not reference.get("bucket") or not reference.get("key"):
        raise InvalidRequest("run_request must be {bucket, key} of a run request object")
    document = read_json(reference["bucket"], reference["key"])
    problems = schemas.violations("datamart_run", document)
    if problems:
        raise InvalidRequest(
            f"run request s3://{reference['bucket']}/{reference['key']}: " + "; ".join(problems)
        )
    return _bundle_request(document)


def _bundle_request(event: dict[str, Any]) -> Request:
    bundle = event.get("bundle")
    if not isinstance(bundle, str) or not bundle:
        raise InvalidRequest("bundle is required: the name of a deployed bundle (or give loads)")
    date_prefix = (
        event.get("date_prefix") or event.get("run_date") or _day_before(event.get("scheduled_time"))
    )
    forms = [
        name
        for name in ("date", "manifest_ids", "sources")
        if (date_prefix if name == "date" else event.get(name))
    ]
    if len(forms) != 1:
        raise InvalidRequest(
            "give exactly one of date_prefix (or run_date, scheduled_time), manifest_ids, sources"
        )
    requested_by = event.get("requested_by")
    if date_prefix:
        if not isinstance(date_prefix, str) or not DATE.match(date_prefix):
            raise InvalidRequest(f"date_prefix must be YYYY-MM-DD, got {date_prefix!r}")
        return Request(bundle=bundle, date_prefix=date_prefix, requested_by=requested_by)
    if event.get("manifest_ids"):
        ids = event["manifest_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) and MANIFEST_ID.match(i) for i in ids):
            raise InvalidRequest(f"manifest_ids must be intake manifest ids (YYYY-MM-DD-…), got {ids!r}")
        return Request(bundle=bundle, manifest_ids=tuple(dict.fromkeys(ids)), requested_by=requested_by)
    sources = event["sources"]
    if not isinstance(sources, list) or not all(isinstance(uri, str) for uri in sources):
        raise InvalidRequest(f"sources must be a list of s3:// URIs, got {sources!r}")
    for uri in sources:
        try:
            split_s3_uri(uri)
        except ValueError as error:
            raise InvalidRequest(f"sources: {error}") from None
    return Request(bundle=bundle, sources=tuple(dict.fromkeys(sources)), requested_by=requested_by)


def _day_before(scheduled_time: Any) -> str | None:
    if scheduled_time is None:
        return None
    try:
        moment = datetime.fromisoformat(str(scheduled_time).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"scheduled_time must be an ISO 8601 time, got {scheduled_time!r}") from None
    return (moment.date() - timedelta(days=1)).isoformat()


def _loads(event: dict[str, Any]) -> Request:
    loads = event["loads"]
    if not isinstance(loads, list) or not loads:
        raise InvalidRequest("loads must be a non-empty list")
    seen = set()
    for position, load in enumerate(loads):
        where = f"loads[{position}]"
        if not isinstance(load, dict):
            raise InvalidRequest(f"{where} must be an object")
        missing = [name for name in LOAD_FIELDS if not load.get(name)]
        if missing:
            raise InvalidRequest(f"{where} lacks {', '.join(missing)}")
        if not RUN_ID.match(str(load["id"])) or load["id"] in seen:
            raise InvalidRequest(f"{where}: id {load['id']!r} must be unique and match {RUN_ID.pattern}")
        seen.add(load["id"])
        if load["format"] not in FORMATS:
            raise InvalidRequest(f"{where}: format {load['format']!r} is not one of {', '.join(FORMATS)}")
        if not isinstance(load["source_uris"], list) or not isinstance(load["upsert_keys"], list):
            raise InvalidRequest(f"{where}: source_uris and upsert_keys must be lists")
    origin = event.get("origin") or {}
    if not isinstance(origin, dict):
        raise InvalidRequest("origin must be an object")
    run_id = event.get("run_id")
    if run_id is not None and (not isinstance(run_id, str) or not RUN_ID.match(run_id)):
        raise InvalidRequest(f"run_id {run_id!r} must match {RUN_ID.pattern}")
    return Request(loads=tuple(json.loads(json.dumps(loads))), origin=origin, run_id=run_id)
