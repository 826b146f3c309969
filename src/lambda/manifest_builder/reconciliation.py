"""Reconciliation: objects under the input prefix that the tracking table has never seen, registered as if
notified.

S3 notifications can be lost, and a message dead-lettered and left there expires after 14 days: such files
would never be tracked. A run lists the input prefix from where the previous run stopped (the listing's
continuation token is kept in the tracking table), up to RECONCILE_MAX_OBJECTS objects, asks the table which
of them it knows (BatchGetItem, 100 keys a request), and registers each unknown one through the same intake
as a notification (HeadObject first, for its ETag and version), then flushes the dates that became due. A
bucket of millions of objects is covered over several runs; a pass that reaches the end starts over at the
next run.

A key's date partition is the one the builder would have chosen on arrival: the date in its name, else the
UTC date of its LastModified time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from platform_common.observability import Count, not_counted
from platform_common.settings import ConfigError

from .config import Config
from .events import ObjectCreated
from .flushing import PartitionFlusher
from .intake import OUTCOME_METRICS, FileIntake, Registration
from .partitioning import date_prefix_for
from .tracking import FILE_PREFIX, PartitionCounters, TrackingTable, iso

logger = logging.getLogger(__name__)

_LIST_PAGE = 1000


@dataclass(frozen=True)
class ReconciliationResult:
    listed: int
    unseen: list[str]  # URIs the table had never seen
    registered: int
    pass_complete: bool  # the listing reached the prefix's end: the next run starts over

    def as_dict(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "unseen": len(self.unseen),
            "registered": self.registered,
            "pass_complete": self.pass_complete,
        }


class Reconciler:
    def __init__(
        self,
        config: Config,
        table: TrackingTable,
        s3: Any,
        intake: FileIntake,
        flusher: PartitionFlusher,
        now: Callable[[], datetime],
        count: Count = not_counted,
    ) -> None:
        self._config = config
        self._table = table
        self._s3 = s3
        self._intake = intake
        self._flusher = flusher
        self._now = now
        self._count = count

    def run(self, max_objects: int | None = None, dry_run: bool = False) -> ReconciliationResult:
        """Lists up to `max_objects` (default RECONCILE_MAX_OBJECTS) objects from the kept position and
        registers the unseen ones; `dry_run` only finds them (nothing registered, the position not kept)."""
        bucket = self._config.input_bucket
        if not bucket:
            raise ConfigError("INPUT_BUCKET is blank: there is no input prefix to reconcile")
        limit = max_objects or self._config.reconcile_max_objects
        cursor = self._table.reconciliation_cursor()
        token = cursor.token
        listed, registered = cursor.pass_listed, cursor.pass_registered
        pass_started_at = cursor.pass_started_at or iso(self._now())
        run_listed, run_registered, unseen = 0, 0, []
        due: dict[str, PartitionCounters] = {}
        complete = False
        while run_listed < limit:
            request = {"Bucket": bucket, "Prefix": self._config.input_prefix}
            request["MaxKeys"] = min(_LIST_PAGE, limit - run_listed)
            if token:
                request["ContinuationToken"] = token
            page = self._s3.list_objects_v2(**request)
            objects = [o for o in page.get("Contents", []) if not o["Key"].endswith("/")]
            run_listed += len(page.get("Contents", []))
            found = self._unseen(bucket, objects)
            unseen.extend(f"{FILE_PREFIX}{bucket}/{obj['Key']}" for obj in found)
            if not dry_run:
                for obj in found:
                    registration = self._register(bucket, obj)
                    if registration is None:
                        continue
                    run_registered += 1
                    counters = registration.counters
                    if counters is not None:
                        known = due.get(registration.date_prefix, counters)
                        due[registration.date_prefix] = max(known, counters, key=_pending)
            token = page.get("NextContinuationToken")
            complete = not page.get("IsTruncated")
            if not dry_run:
                self._table.save_reconciliation_cursor(
                    None if complete else token,
                    listed + run_listed,
                    registered + run_registered,
                    pass_started_at,
                    self._now(),
                )
            if complete:
                break
        for date_prefix, counters in sorted(due.items()):
            if self._flusher.needs_flush(date_prefix, counters):
                self._flusher.flush(date_prefix)
        self._count("ObjectsListed", run_listed)
        self._count("FilesUnseen", len(unseen))
        self._count("FilesReconciled", run_registered)
        result = ReconciliationResult(run_listed, unseen, run_registered, complete)
        logger.info(
            "reconciliation: %d objects listed, %d never seen, %d registered",
            run_listed,
            len(unseen),
            run_registered,
            extra={"event": "reconciliation_run", **result.as_dict()},
        )
        return result

    def _unseen(self, bucket: str, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The listed objects the table has no item for."""
        keys = []
        for obj in objects:
            date_prefix, _ = date_prefix_for(obj["Key"], obj["LastModified"])
            keys.append((date_prefix, f"{FILE_PREFIX}{bucket}/{obj['Key']}"))
        known = self._table.known_files(keys)
        return [obj for obj, key in zip(objects, keys, strict=True) if key not in known]

    def _register(self, bucket: str, listed: dict[str, Any]) -> Registration | None:
        key = listed["Key"]
        try:
            head = self._s3.head_object(Bucket=bucket, Key=key)
        except self._s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return None  # deleted since the listing
            raise
        obj = ObjectCreated(
            bucket, key, head["ContentLength"], head["ETag"].strip('"'), head.get("VersionId") or ""
        )
        logger.warning(
            "%s was never notified: registered by the reconciliation",
            obj.uri,
            extra={"event": "file_reconciled", "file_key": obj.uri},
        )
        registration = self._intake.register(obj, arrived_at=listed["LastModified"])
        self._count(OUTCOME_METRICS[registration.outcome])
        return registration


def _pending(counters: PartitionCounters) -> int:
    return counters.pending_count
