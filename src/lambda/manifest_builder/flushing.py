"""Cuts manifests for one date partition under its lock, and starts their executions.

Order of writes for one manifest, chosen so that an invocation dying at any point loses nothing:
1. the manifest document goes to S3;
2. in transactions fenced by the lock: the manifest item is created `building`, its files move
   pending -> manifested, and the manifest item becomes `manifested` (one transaction when it fits);
3. the partition counters go down;
4. the execution starts, named after the manifest id.
The next lock holder finishes any `building` manifest from its S3 document before cutting new ones, and
retries starts that failed (see README, "Crash recovery").
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from platform_common.observability import Count
from platform_common.sns import Notifier

from . import manifests, tracking
from .aws import ObjectStore, Workflow
from .batching import BatchPolicy, PendingFile
from .config import Config
from .partitioning import is_past
from .tracking import BUILDING, ManifestRecord, PartitionCounters, TrackedManifest, TrackingTable

logger = logging.getLogger(__name__)

# No invocation outlives Lambda's 15-minute ceiling, so an arrival older than this has finished its writes and
# the counters can be reset to what the table holds without racing it.
RECONCILE_AFTER = timedelta(minutes=15)


@dataclass
class FlushResult:
    manifest_ids: list[str] = field(default_factory=list)
    start_failures: list[str] = field(default_factory=list)
    lock_busy: bool = False


@dataclass
class _Lease:
    owner: str
    deadline: datetime
    moved_files: int = 0
    moved_bytes: int = 0


class PartitionFlusher:
    def __init__(
        self,
        config: Config,
        table: TrackingTable,
        store: ObjectStore,
        workflow: Workflow,
        notifier: Notifier,
        now: Callable[[], datetime],
        count: Count,
    ) -> None:
        self._config = config
        self._table = table
        self._store = store
        self._workflow = workflow
        self._notifier = notifier
        self._now = now
        self._count = count
        self.policy = BatchPolicy(
            max_files=config.max_files_per_manifest,
            max_bytes=config.max_bytes_per_manifest,
            min_files_for_partial=config.min_files_for_partial_batch,
        )

    def needs_flush(self, date_prefix: str, counters: PartitionCounters, force_partial: bool = False) -> bool:
        if self._config.step_function_arn and counters.unstarted_manifests > 0:
            return True
        partial = (
            force_partial
            or is_past(date_prefix, self._now())
            or self._waited_long(counters.oldest_pending_at)
        )
        return self.policy.is_due(counters.pending_count, counters.pending_bytes, partial)

    def _waited_long(self, arrived_at: str) -> bool:
        """Whether a file that arrived then has waited MAX_BATCH_WAIT_SECONDS (0: no wait is too long)."""
        wait = self._config.max_batch_wait_seconds
        return bool(wait and arrived_at) and arrived_at <= tracking.iso(self._now() - timedelta(seconds=wait))

    def flush(self, date_prefix: str, force_partial: bool = False) -> FlushResult:
        """Cuts every due manifest of the partition; returns with lock_busy if another invocation holds it.

        Partial batches are cut for past dates (the orphan flush), for a date whose oldest pending file has
        waited MAX_BATCH_WAIT_SECONDS (freshness), or for any date with `force_partial` (an operator's
        `platform-ops intake flush DATE`).

        An arrival that finds the lock busy leaves its file pending; after releasing, the holder reads the
        counters again and goes round once more if files it has not seen make a batch due (any of them, for
        `force_partial`), so no wake-up is lost. An arrival counts itself in before its item is written, so
        that read cannot miss it.
        """
        result = FlushResult()
        last_seen: PartitionCounters | None = None
        while True:
            now = self._now()
            lease = _Lease(str(uuid.uuid4()), now + timedelta(seconds=self._config.lock_ttl_seconds))
            if not self._table.acquire_lock(date_prefix, lease.owner, now, self._config.lock_ttl_seconds):
                logger.info(
                    "lock on %s is busy: its holder will pick up the pending files",
                    date_prefix,
                    extra={"event": "lock_busy", "date_prefix": date_prefix},
                )
                self._count("FlushLockBusy")
                result.lock_busy = True
                return result
            try:
                remaining, lease_ran_out = self._flush_locked(date_prefix, lease, result, force_partial)
            finally:
                self._table.release_lock(date_prefix, lease.owner)
            if lease_ran_out:
                continue
            after = self._table.counters(date_prefix)
            unseen = after.pending_count > remaining
            if after == last_seen or not unseen or not self.needs_flush(date_prefix, after, force_partial):
                return result
            last_seen = after

    def _flush_locked(
        self, date_prefix: str, lease: _Lease, result: FlushResult, force_partial: bool
    ) -> tuple[int, bool]:
        """(pending files seen and left, whether the lease ran out before every due batch was cut)."""
        # Read before the query, so that _reconcile's condition notices any arrival counted after it.
        snapshot = self._table.counters(date_prefix)
        failures_before = len(result.start_failures)
        for item in self._table.open_manifests(date_prefix):
            self._finish_open_manifest(date_prefix, lease, item, result)
        # One manifest's worth of pending files at a time, so the items read per file stay flat however many
        # files the date already holds. When no batch is due fewer than a manifest's worth are left, so the
        # reads came to the end: `pending` holds every pending file, which the counters and the oldest
        # arrival below rely on.
        limit = self.policy.max_files
        pending = self._table.pending_files(date_prefix, limit)
        read_all = len(pending) < limit
        partial = (
            force_partial
            or is_past(date_prefix, self._now())
            or any(self._waited_long(file.created_at) for file in pending)
        )
        while batch := self.policy.select(pending, partial):
            if not self._lease_left(lease):
                return len(pending), True
            self._cut(date_prefix, lease, batch, result)
            last_read = pending[-1].file_key
            pending = pending[len(batch) :]
            # Topped up to a manifest's worth from where the last read stopped, so that each pending file
            # is read once even when the byte limit cuts manifests of a few files.
            if not read_all:
                wanted = limit - len(pending)
                more = self._table.pending_files(date_prefix, wanted, after=last_read)
                read_all = len(more) < wanted
                pending += more
                partial = partial or any(self._waited_long(file.created_at) for file in more)
        # Every manifest without an execution was just tried, so this pass knows the exact number left
        # unstarted; it also forgets manifests an operator started meanwhile.
        unstarted = len(result.start_failures) - failures_before
        if unstarted != snapshot.unstarted_manifests:
            self._table.adjust_counters(date_prefix, unstarted=unstarted - snapshot.unstarted_manifests)
        # More pending files than markers read (their markers just restored): the flush goes round again.
        everything = self._reconcile(date_prefix, snapshot, lease, pending)
        if self._config.max_batch_wait_seconds and (everything or snapshot.oldest_pending_at):
            oldest = min((file.created_at for file in everything if file.created_at), default=None)
            if oldest != (snapshot.oldest_pending_at or None):
                self._table.set_oldest_pending(date_prefix, oldest, snapshot.last_arrival_at)
        return len(pending), False

    def _lease_left(self, lease: _Lease) -> bool:
        # Stop cutting with half the lease left: the fenced writes would fail anyway once it runs out.
        return self._now() < lease.deadline - timedelta(seconds=self._config.lock_ttl_seconds / 2)

    def _cut(self, date_prefix: str, lease: _Lease, batch: list[PendingFile], result: FlushResult) -> None:
        now = self._now()
        manifest_id = manifests.new_manifest_id(date_prefix, now)
        key = manifests.manifest_key(self._config.manifest_prefix, date_prefix, manifest_id)
        path = f"s3://{self._config.manifest_bucket}/{key}"
        document = manifests.build_manifest(manifest_id, date_prefix, batch, tracking.iso(now))
        self._store.put_json(self._config.manifest_bucket, key, document)
        record = ManifestRecord(manifest_id, path, manifests.manifest_uris(document), document["total_bytes"])
        self._table.write_manifest(date_prefix, record, lease.owner, now, create=True)
        logger.info(
            "manifest %s: %d files, %d bytes -> %s",
            manifest_id,
            len(batch),
            record.total_bytes,
            path,
            extra=_fields(
                "manifest_cut",
                date_prefix,
                manifest_id,
                manifest_path=path,
                file_count=len(batch),
                total_bytes=record.total_bytes,
            ),
        )
        self._count("ManifestsCut")
        self._count("FilesManifested", len(batch))
        self._manifested(date_prefix, lease, record, result)

    def _finish_open_manifest(
        self, date_prefix: str, lease: _Lease, item: TrackedManifest, result: FlushResult
    ) -> None:
        manifest_id, path = item.manifest_id, item.manifest_path
        if item.status == BUILDING:
            logger.warning(
                "finishing manifest %s left building by an interrupted invocation",
                manifest_id,
                extra=_fields("manifest_finished", date_prefix, manifest_id),
            )
            document = self._store.get_json(path)
            record = ManifestRecord(
                manifest_id, path, manifests.manifest_uris(document), document["total_bytes"]
            )
            self._table.write_manifest(date_prefix, record, lease.owner, self._now(), create=False)
            self._manifested(date_prefix, lease, record, result)
        elif self._config.step_function_arn:
            self._start(date_prefix, manifest_id, path, item.file_count, result)

    def _manifested(
        self, date_prefix: str, lease: _Lease, record: ManifestRecord, result: FlushResult
    ) -> None:
        files = len(record.file_keys)
        self._table.adjust_counters(date_prefix, files=-files, size_bytes=-record.total_bytes)
        lease.moved_files += files
        lease.moved_bytes += record.total_bytes
        result.manifest_ids.append(record.manifest_id)
        self._start(date_prefix, record.manifest_id, record.manifest_path, files, result)

    def _start(
        self,
        date_prefix: str,
        manifest_id: str,
        path: str,
        file_count: int,
        result: FlushResult,
    ) -> None:
        state_machine = self._config.step_function_arn
        if not state_machine:
            logger.warning(
                "STEP_FUNCTION_ARN is blank (rollback): manifest %s stays manifested until replayed",
                manifest_id,
                extra=_fields("execution_not_started", date_prefix, manifest_id),
            )
            return
        now = self._now()
        execution_input = manifests.execution_input(
            manifest_id, path, date_prefix, file_count, tracking.iso(now)
        )
        try:
            arn = self._workflow.start(state_machine, manifest_id, execution_input)
        except Exception as error:
            logger.exception(
                "could not start the execution of manifest %s",
                manifest_id,
                extra=_fields("execution_start_failed", date_prefix, manifest_id),
            )
            self._count("ExecutionStartFailures")
            self._table.record_start_failure(date_prefix, manifest_id, repr(error), now)
            result.start_failures.append(manifest_id)
            self._notifier.publish(
                "NDJSON intake: execution not started",
                {
                    "event": "execution_start_failed",
                    "manifest_id": manifest_id,
                    "manifest_path": path,
                    "date_prefix": date_prefix,
                    "error": repr(error),
                },
            )
            return
        self._table.record_execution(date_prefix, manifest_id, arn, now)
        self._count("ExecutionsStarted")

    def _reconcile(
        self, date_prefix: str, snapshot: PartitionCounters, lease: _Lease, pending: list[PendingFile]
    ) -> list[PendingFile]:
        """Drops the overcount a crashed invocation left in the counters, once no arrival is in flight;
        returns the pending files, those whose marker it restored included."""
        observed = self._settled(snapshot, lease.moved_files, lease.moved_bytes)
        if observed is None or _agree(observed, pending):
            return pending
        # The markers may be what is short (files tracked before markers existed): the file items decide.
        everything = self._table.pending_file_items(date_prefix)
        marked = self._table.restore_pending_markers(date_prefix, _unmarked(everything, pending))
        if marked:
            logger.warning(
                "%d pending files of %s had no marker: marked, the next pass manifests them",
                marked,
                date_prefix,
                extra={"event": "pending_marked", "date_prefix": date_prefix},
            )
        if _agree(observed, everything):
            return everything
        actual_bytes = sum(f.size_bytes for f in everything)
        if self._table.reconcile_counters(date_prefix, observed, len(everything), actual_bytes):
            logger.warning(
                "counters of %s reset from %d files/%d bytes to %d/%d",
                date_prefix,
                observed.pending_count,
                observed.pending_bytes,
                len(everything),
                actual_bytes,
                extra={"event": "counters_reconciled", "date_prefix": date_prefix},
            )
        return everything

    def _settled(
        self, snapshot: PartitionCounters, moved_files: int, moved_bytes: int
    ) -> PartitionCounters | None:
        """The counters as a pass's moves left them, once no arrival can be in flight (an arrival counts
        itself in before its item is written); None before that."""
        if not snapshot.last_arrival_at or snapshot.last_arrival_at > tracking.iso(
            self._now() - RECONCILE_AFTER
        ):
            return None
        return PartitionCounters(
            pending_count=snapshot.pending_count - moved_files,
            pending_bytes=snapshot.pending_bytes - moved_bytes,
            unstarted_manifests=snapshot.unstarted_manifests,
            last_arrival_at=snapshot.last_arrival_at,
        )

    def plan(self, date_prefix: str) -> list[list[PendingFile]]:
        """The manifests `flush(date_prefix, force_partial=True)` would cut now, in order, read without the
        lock and written nowhere (`platform-ops intake flush --dry-run`).

        The flush cuts the files with a marker; then, when the counters show more pending files than that
        and no arrival can be in flight, its audit marks the pending files without one (tracked before
        markers existed) and its next pass cuts them with those left. Not planned: the manifests an
        interrupted invocation left `building`, which the flush finishes first with the files they list.
        """
        snapshot = self._table.counters(date_prefix)
        marked = self._table.pending_files(date_prefix)
        batches = self.policy.split(marked, partial_allowed=True)
        cut = [file for batch in batches for file in batch]
        left = marked[len(cut) :]
        observed = self._settled(snapshot, len(cut), sum(file.size_bytes for file in cut))
        if observed is None or _agree(observed, left):
            return batches
        unmarked = _unmarked(self._table.pending_file_items(date_prefix), marked)
        return batches + self.policy.split(
            sorted([*left, *unmarked], key=lambda file: file.file_key), partial_allowed=True
        )


def _agree(counters: PartitionCounters, pending: list[PendingFile]) -> bool:
    return (counters.pending_count, counters.pending_bytes) == (
        len(pending),
        sum(f.size_bytes for f in pending),
    )


def _unmarked(everything: list[PendingFile], marked: list[PendingFile]) -> list[PendingFile]:
    """The pending files (read from the file items) that have no marker among those read."""
    keys = {file.file_key for file in marked}
    return [file for file in everything if file.file_key not in keys]


def _fields(event: str, date_prefix: str, manifest_id: str, **more: Any) -> dict[str, Any]:
    """The stable log fields of an event about one manifest (see platform_common.observability)."""
    return {"event": event, "date_prefix": date_prefix, "manifest_id": manifest_id, **more}


def sweep_dates(now: datetime, lookback_days: int, today_too: bool) -> list[str]:
    """The dates the scheduled sweep looks at, newest first: the past ones, and today's for freshness."""
    today = now.date()
    first = 0 if today_too else 1
    return [(today - timedelta(days=offset)).isoformat() for offset in range(first, lookback_days + 1)]
