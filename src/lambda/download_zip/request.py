"""The invocation event: `{"source_bucket", "source_prefix", "destination_bucket", "destination_key",
"ignore_patterns"}`, checked before anything is read or written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# S3's bucket naming rules (general purpose buckets): 3-63 characters of lowercase letters, digits, dots and
# hyphens, starting and ending with a letter or digit, no "..", not shaped like an IP address, none of the
# reserved prefixes and suffixes.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


class InvalidRequest(ValueError):
    """The event is missing a field or has a bad value; the message names the field. Nothing was written."""


@dataclass(frozen=True)
class ZipRequest:
    source_bucket: str
    source_prefix: str
    destination_bucket: str
    destination_key: str
    ignore_patterns: tuple[str, ...] = ()

    @property
    def destination_uri(self) -> str:
        return f"s3://{self.destination_bucket}/{self.destination_key}"

    @property
    def source_uri(self) -> str:
        return f"s3://{self.source_bucket}/{self.source_prefix}"


def parse_request(event: Mapping[str, Any]) -> ZipRequest:
    if not isinstance(event, Mapping):
        raise InvalidRequest(f"the event must be a JSON object, not {type(event).__name__}")
    return ZipRequest(
        source_bucket=bucket_name(event, "source_bucket"),
        source_prefix=_prefix(_string(event, "source_prefix", allow_empty=True)),
        destination_bucket=bucket_name(event, "destination_bucket"),
        destination_key=_destination_key(event),
        ignore_patterns=_patterns(event),
    )


def bucket_name(event: Mapping[str, Any], field: str) -> str:
    name = _string(event, field)
    reserved = name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES)
    if not _BUCKET.match(name) or ".." in name or _IP_ADDRESS.match(name) or reserved:
        raise InvalidRequest(f"{field} is not a valid S3 bucket name: {name!r}")
    return name


def _string(event: Mapping[str, Any], field: str, allow_empty: bool = False) -> str:
    if field not in event:
        raise InvalidRequest(f"{field} is required")
    value = event[field]
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string, not {type(value).__name__}")
    if not value and not allow_empty:
        raise InvalidRequest(f"{field} must not be empty")
    return value


def _prefix(value: str) -> str:
    """A prefix names a folder: "data" zips data/..., never data2/... beside it."""
    return value if not value or value.endswith("/") else value + "/"


def _destination_key(event: Mapping[str, Any]) -> str:
    key = _string(event, "destination_key")
    if key.endswith("/"):
        raise InvalidRequest(f"destination_key must name an object, not a folder: {key!r}")
    return key


def _patterns(event: Mapping[str, Any]) -> tuple[str, ...]:
    patterns = event.get("ignore_patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise InvalidRequest(f"ignore_patterns must be a list of non-empty glob strings: {patterns!r}")
    return tuple(patterns)
