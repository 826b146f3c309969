"""The manifest document Glue reads, where it is stored, and the input of the execution that processes it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from .batching import PendingFile


def new_manifest_id(date_prefix: str, now: datetime) -> str:
    """Unique, sortable by creation time, and valid as a Step Functions execution name (<= 80 chars)."""
    return f"{date_prefix}-{now:%H%M%S}-{uuid.uuid4().hex[:12]}"


def manifest_key(prefix: str, date_prefix: str, manifest_id: str) -> str:
    return f"{prefix}{date_prefix}/{manifest_id}.json"


def build_manifest(
    manifest_id: str, date_prefix: str, files: list[PendingFile], created_at: str
) -> dict[str, Any]:
    return {
        "fileLocations": [{"URIPrefixes": [f.file_key for f in files]}],
        # The exact versions to convert, on the first run and on every replay, whatever is uploaded later.
        "files": [{"uri": f.file_key, "version_id": f.version_id, "etag": f.etag} for f in files],
        "manifest_id": manifest_id,
        "date_prefix": date_prefix,
        "file_count": len(files),
        "total_bytes": sum(f.size_bytes for f in files),
        "created_at": created_at,
    }


def manifest_uris(document: dict[str, Any]) -> list[str]:
    return [uri for location in document["fileLocations"] for uri in location["URIPrefixes"]]


def execution_input(
    manifest_id: str, manifest_path: str, date_prefix: str, file_count: int, started_at: str
) -> dict[str, Any]:
    """What the state machine receives (asl/manifest_processing.asl.json.tftpl reads these names)."""
    return {
        "manifest_path": manifest_path,
        "manifest_id": manifest_id,
        "date_prefix": date_prefix,
        "file_count": file_count,
        "timestamp": started_at,
    }
