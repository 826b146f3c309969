"""MANIFEST.json: each member's key, size, ETag and CRC-32, and each skipped key with its reason.

Produced one line per entry rather than as one string: for a prefix of many small objects the document is
the largest thing the run holds, and this way it is never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from .selection import Skipped


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    key: str
    size: int
    etag: str
    crc32: int


def manifest_chunks(
    source_uri: str, created_at: str, entries: list[Entry], skipped: list[Skipped]
) -> Iterator[bytes]:
    head = {"source": source_uri, "created_at": created_at}
    yield ("{\n" + "".join(f" {_json(k)}: {_json(v)},\n" for k, v in head.items()) + ' "files": [\n').encode()
    yield from _lines(
        {"name": e.name, "key": e.key, "size": e.size, "etag": e.etag, "crc32": f"{e.crc32:08x}"}
        for e in entries
    )
    yield b' ],\n "skipped": [\n'
    yield from _lines({"key": s.key, "reason": s.reason} for s in skipped)
    yield b" ]\n}\n"


def _lines(items: Iterator[dict[str, object]]) -> Iterator[bytes]:
    separator = ""
    for item in items:
        yield f"{separator}  {_json(item)}".encode()
        separator = ",\n"
    if separator:
        yield b"\n"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
