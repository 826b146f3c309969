"""One upload: validate the payload, then write it where its kind lives as a new version."""

from __future__ import annotations

from typing import Any

from platform_common.config_validation import violations

from .config import Settings
from .destinations import destination_key
from .request import InvalidConfig, UploadRequest
from .store import ConfigStore


def upload(store: ConfigStore, settings: Settings, request: UploadRequest) -> dict[str, Any]:
    """Writes the payload and returns where, with the new and previous version ids.

    An invalid payload raises InvalidConfig listing every violation, and nothing is written. A dry run
    writes nothing either way: it returns the violations (empty when the payload would be accepted), the
    destination and the version a real upload would replace.
    """
    payload = store.read_json(request.source) if request.source else request.payload
    found = violations(request.kind, payload, settings.deployed_load_jobs)
    if found and not request.dry_run:
        raise InvalidConfig(request.kind, found)
    bucket = settings.config_bucket
    store.require_versioning(bucket)
    key = None if found else destination_key(request.kind, payload, settings)
    current = store.current(bucket, key) if key else None
    version = store.put_json(bucket, key, payload, current) if key and not request.dry_run else None
    return {
        "kind": request.kind,
        "destination": f"s3://{bucket}/{key}" if key else None,
        "version_id": version,
        "previous_version_id": current.version_id if current else None,
        "dry_run": request.dry_run,
        "violations": [violation.as_dict() for violation in found],
    }
