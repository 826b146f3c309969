"""Registers one created object: validate, pick its date partition, track it once, or quarantine it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from platform_common.sns import Notifier

from . import tracking
from .aws import ObjectStore
from .config import Config
from .events import ObjectCreated
from .partitioning import date_prefix_for
from .tracking import PENDING, QUARANTINED, PartitionCounters, TrackedFile, TrackingTable
from .validation import rejection_reason

logger = logging.getLogger(__name__)

# A concurrent writer can change the item between our read and our conditional write; each retry re-reads.
_VERSION_ATTEMPTS = 3

REUPLOAD_AFTER_MANIFEST = "reupload_after_manifest"

# The metric that counts each registration outcome (README, "Logs and metrics").
OUTCOME_METRICS = {
    "new": "FilesTracked",
    "duplicate": "DuplicateEvents",
    "refreshed": "FilesReplaced",
    "rearmed": "FilesRearmed",
    "quarantined": "FilesQuarantined",
}


@dataclass(frozen=True)
class Registration:
    """What happened to one object; `counters`, when the file was counted, decide whether to flush.

    A redelivered event carries counters too: its first delivery may have failed to flush or to start.
    """

    date_prefix: str
    outcome: str  # new | duplicate | refreshed | rearmed | quarantined
    counters: PartitionCounters | None = None


class FileIntake:
    def __init__(
        self,
        config: Config,
        table: TrackingTable,
        store: ObjectStore,
        notifier: Notifier,
        now: Callable[[], datetime],
    ) -> None:
        self._config = config
        self._table = table
        self._store = store
        self._notifier = notifier
        self._now = now

    def register(self, obj: ObjectCreated, arrived_at: datetime | None = None) -> Registration:
        """`arrived_at`: when the object was written, if not now (the reconciliation's late registrations),
        which dates a key without a date in it."""
        now = self._now()
        date_prefix, found = date_prefix_for(obj.key, arrived_at or now)
        if not found:
            logger.warning(
                "no YYYY-MM-DD in %s: partitioned under today's UTC date %s",
                obj.uri,
                date_prefix,
                extra=_fields("file_without_date", date_prefix, obj),
            )
        reason = rejection_reason(obj, self._config)
        if reason:
            return self._quarantine_new(date_prefix, obj, reason)

        counters = self._table.count_arrival(date_prefix, obj.size_bytes, now)
        existing = self._table.insert_file(date_prefix, obj.uri, obj, PENDING, now)
        if existing is None:
            return Registration(date_prefix, "new", counters)
        self._table.adjust_counters(date_prefix, files=-1, size_bytes=-obj.size_bytes)
        counters = replace(
            counters,
            pending_count=counters.pending_count - 1,
            pending_bytes=counters.pending_bytes - obj.size_bytes,
        )
        return self._another_version(date_prefix, obj, None, existing, counters)

    def _quarantine_new(self, date_prefix: str, obj: ObjectCreated, reason: str) -> Registration:
        # The copy comes first: if the invocation dies after it, the redelivered event writes the item.
        path = self._copy(date_prefix, obj, reason, version=False)
        existing = self._table.insert_file(
            date_prefix,
            obj.uri,
            obj,
            QUARANTINED,
            self._now(),
            quarantine_reason=reason,
            quarantine_path=path,
        )
        if existing is None:
            self._announce(date_prefix, obj, reason, path)
            return Registration(date_prefix, "quarantined")
        return self._another_version(date_prefix, obj, reason, existing, None)

    def _another_version(
        self,
        date_prefix: str,
        obj: ObjectCreated,
        reason: str | None,
        existing: TrackedFile | None,
        counters: PartitionCounters | None,
    ) -> Registration:
        """The key is already tracked: a duplicate event, or new content under the same key (see README)."""
        for _ in range(_VERSION_ATTEMPTS):
            status, etag = (existing.status, existing.etag) if existing else (None, None)
            if etag == obj.etag:
                logger.info(
                    "duplicate event for %s (etag %s, status %s)",
                    obj.uri,
                    etag,
                    status,
                    extra=_fields("duplicate_event", date_prefix, obj, status=status),
                )
                return Registration(date_prefix, "duplicate", counters)
            if status == PENDING and reason is None:
                if self._table.replace_file_version(
                    date_prefix,
                    obj.uri,
                    PENDING,
                    etag,
                    obj,
                    PENDING,
                    self._now(),
                    created_at=existing.created_at,
                ):
                    self._table.adjust_counters(date_prefix, size_bytes=obj.size_bytes - existing.size_bytes)
                    logger.info(
                        "%s re-uploaded before its manifest: tracking etag %s",
                        obj.uri,
                        obj.etag,
                        extra=_fields("file_refreshed", date_prefix, obj),
                    )
                    return Registration(date_prefix, "refreshed", counters)
            elif status == QUARANTINED and reason is None:
                rearmed = self._table.count_arrival(date_prefix, obj.size_bytes, self._now())
                if self._table.replace_file_version(
                    date_prefix,
                    obj.uri,
                    QUARANTINED,
                    etag,
                    obj,
                    PENDING,
                    self._now(),
                    leaves_manifest=existing.manifest_id,
                    created_at=existing.created_at,
                ):
                    logger.info(
                        "%s re-uploaded valid after quarantine: pending again",
                        obj.uri,
                        extra=_fields("file_rearmed", date_prefix, obj),
                    )
                    return Registration(date_prefix, "rearmed", rearmed)
                self._table.adjust_counters(date_prefix, files=-1, size_bytes=-obj.size_bytes)
            elif status == QUARANTINED:
                path = self._copy(date_prefix, obj, reason, version=False)
                if self._table.replace_file_version(
                    date_prefix, obj.uri, QUARANTINED, etag, obj, QUARANTINED, self._now(), reason, path
                ):
                    self._announce(date_prefix, obj, reason, path)
                    return Registration(date_prefix, "quarantined")
            else:
                return self._quarantine_version(date_prefix, obj, reason or _reupload_reason(status))
            existing = self._table.file(date_prefix, obj.uri)
        raise RuntimeError(f"{obj.uri} kept changing while registering etag {obj.etag}; the event will retry")

    def _quarantine_version(self, date_prefix: str, obj: ObjectCreated, reason: str) -> Registration:
        path = self._copy(date_prefix, obj, reason, version=True)
        existing = self._table.insert_file(
            date_prefix,
            f"{obj.uri}#{obj.etag}",
            obj,
            QUARANTINED,
            self._now(),
            quarantine_reason=reason,
            quarantine_path=path,
        )
        if existing is None:
            self._announce(date_prefix, obj, reason, path)
            return Registration(date_prefix, "quarantined")
        return Registration(date_prefix, "duplicate")

    def _copy(self, date_prefix: str, obj: ObjectCreated, reason: str, version: bool) -> str | None:
        if obj.size_bytes > self._config.max_file_size_bytes:
            # Recorded in place: a copy of a file refused for its size would move all of it (a multipart
            # copy of minutes for tens of GB, past the function's timeout, retried into the dead-letter
            # queue), while the object already stays, versioned, where it is; its item names it.
            logger.warning(
                "%s is quarantined in place (reason: %s): no copy",
                obj.uri,
                reason,
                extra=_fields("quarantined_in_place", date_prefix, obj, reason=reason),
            )
            return None
        bucket = self._config.quarantine_bucket
        if not bucket:
            logger.warning(
                "QUARANTINE_BUCKET is blank: %s not copied (reason: %s)",
                obj.uri,
                reason,
                extra=_fields("quarantine_copy_skipped", date_prefix, obj, reason=reason),
            )
            return None
        key = f"{date_prefix}/{obj.bucket}/{obj.key}"
        if version:
            etag = obj.etag.strip('"')
            key = f"{date_prefix}/{obj.bucket}/versions/{etag}/{obj.key}"
        if not self._store.quarantine_copy(
            obj.bucket, obj.key, bucket, key, reason, tracking.iso(self._now())
        ):
            logger.warning(
                "%s disappeared before its quarantine copy (reason: %s)",
                obj.uri,
                reason,
                extra=_fields("quarantine_source_gone", date_prefix, obj, reason=reason),
            )
            return None
        return f"s3://{bucket}/{key}"

    def _announce(self, date_prefix: str, obj: ObjectCreated, reason: str, path: str | None) -> None:
        logger.warning(
            "quarantined %s: %s",
            obj.uri,
            reason,
            extra=_fields("file_quarantined", date_prefix, obj, reason=reason, quarantine_path=path),
        )
        self._notifier.publish(
            "NDJSON intake: file quarantined",
            {
                "event": "file_quarantined",
                "file": obj.uri,
                "date_prefix": date_prefix,
                "reason": reason,
                "quarantine_path": path,
                "etag": obj.etag,
                "size_bytes": obj.size_bytes,
            },
        )


def _fields(event: str, date_prefix: str, obj: ObjectCreated, **more: Any) -> dict[str, Any]:
    """The stable log fields of an event about one object (see platform_common.observability)."""
    return {"event": event, "date_prefix": date_prefix, "file_key": obj.uri, "etag": obj.etag, **more}


def _reupload_reason(status: str | None) -> str:
    return (
        f"{REUPLOAD_AFTER_MANIFEST}: the key was already {status} with other content; "
        "re-ingesting it would duplicate or race its rows"
    )
