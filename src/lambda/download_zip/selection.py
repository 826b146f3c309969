"""Which listed objects become members, under which names, and which are skipped and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

from .request import InvalidRequest, ZipRequest

MANIFEST_NAME = "MANIFEST.json"

IGNORED = "ignored"
DESTINATION = "destination"
DIRECTORY_MARKER = "directory marker"
VANISHED = "vanished"


@dataclass(frozen=True, slots=True)
class SourceObject:
    key: str
    size: int
    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    source: SourceObject


@dataclass(frozen=True, slots=True)
class Skipped:
    key: str
    reason: str


@dataclass(frozen=True)
class Selection:
    members: list[Member]
    skipped: list[Skipped]

    @property
    def bytes_in(self) -> int:
        return sum(member.source.size for member in self.members)


def select(request: ZipRequest, listed: Iterable[SourceObject]) -> Selection:
    members: list[Member] = []
    skipped: list[Skipped] = []
    for source in listed:
        name = source.key[len(request.source_prefix) :]
        reason = _skip_reason(request, source.key, name)
        if reason:
            skipped.append(Skipped(source.key, reason))
            continue
        if name == MANIFEST_NAME:
            raise InvalidRequest(
                f"source_prefix holds {source.key!r}, the name of the archive's own manifest: "
                f"add {MANIFEST_NAME!r} to ignore_patterns to leave it out"
            )
        members.append(Member(name, source))
    return Selection(members, skipped)


def _skip_reason(request: ZipRequest, key: str, name: str) -> str | None:
    if request.source_bucket == request.destination_bucket and key == request.destination_key:
        return DESTINATION
    # An empty name is the prefix's own folder marker; a name ending in "/" is a console-made "folder".
    if not name or name.endswith("/"):
        return DIRECTORY_MARKER
    file_name = name.rsplit("/", 1)[-1]
    if any(fnmatchcase(name, p) or fnmatchcase(file_name, p) for p in request.ignore_patterns):
        return IGNORED
    return None
