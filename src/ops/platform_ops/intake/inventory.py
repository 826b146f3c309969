"""The read side: what the tracking table says about files and manifests, per date, and one file's history.

A file's final status is its own item's status, then, once manifested, its manifest item's status
(manifested -> processing -> completed | failed): see src/lambda/manifest_builder/README.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from manifest_builder.partitioning import date_in, date_prefix_for
from manifest_builder.tracking import (
    BUILDING,
    FAILED,
    FILE_PREFIX,
    MANIFESTED,
    PENDING,
    PROCESSING,
    QUARANTINED,
    TrackedFile,
    TrackedManifest,
    TrackingTable,
    iso,
)

# Statuses a manifest leaves on its own; one that stays in them too long is stuck.
IN_FLIGHT = (BUILDING, MANIFESTED, PROCESSING)


@dataclass
class Inventory:
    files: list[TrackedFile] = field(default_factory=list)
    manifests: dict[str, TrackedManifest] = field(default_factory=dict)

    def file_status(self, item: TrackedFile) -> str:
        """The file's own status, or its manifest's once it is in one."""
        if item.status == MANIFESTED:
            manifest = self.manifests.get(item.manifest_id or "")
            return manifest.status if manifest else MANIFESTED
        return item.status

    def file_counts(self) -> dict[str, Counter]:
        """Files per date and final status, dates in order."""
        counts: dict[str, Counter] = {}
        for item in self.files:
            counts.setdefault(item.date_prefix, Counter())[self.file_status(item)] += 1
        return dict(sorted(counts.items()))

    def manifest_counts(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for item in self.manifests.values():
            counts.setdefault(item.date_prefix, Counter())[item.status] += 1
        return dict(sorted(counts.items()))

    def stuck_manifests(self, now: datetime, older_than: timedelta) -> list[TrackedManifest]:
        """Manifests still building, manifested or processing, unchanged for longer than `older_than`."""
        cutoff = iso(now - older_than)
        return sorted(
            (m for m in self.manifests.values() if m.status in IN_FLIGHT and m.updated_at < cutoff),
            key=lambda m: m.updated_at,
        )

    def oldest_pending(self) -> TrackedFile | None:
        pending = [item for item in self.files if item.status == PENDING]
        return min(pending, key=lambda item: item.created_at) if pending else None

    def manifests_with_status(self, *statuses: str) -> list[TrackedManifest]:
        return sorted(
            (m for m in self.manifests.values() if m.status in statuses),
            key=lambda m: (m.date_prefix, m.manifest_id),
        )


def load_inventory(table: TrackingTable, date_prefix: str | None = None) -> Inventory:
    """Files and manifests of one date (a query), or of the whole table (a scan: an occasional read)."""
    inventory = Inventory()
    for item in table.items(date_prefix):
        if isinstance(item, TrackedFile):
            inventory.files.append(item)
        elif isinstance(item, TrackedManifest):
            inventory.manifests[item.manifest_id] = item
    return inventory


@dataclass
class ManifestReport:
    """One manifest: its item, its files (those it holds now, and those readmitted out of it), executions."""

    item: TrackedManifest
    files: list[TrackedFile]
    executions: dict[str, dict[str, Any]]

    def next_step(self) -> str:
        """What the operator runs next, from the manifest's status and its execution's."""
        manifest_id, status = self.item.manifest_id, self.item.status
        arn = self.item.execution_arn
        if status == FAILED:
            return (
                f"fix the cause (error above), then: platform-ops intake replay --manifest-id {manifest_id}"
            )
        if status == BUILDING:
            return f"platform-ops intake flush {self.item.date_prefix} (finishes and starts it)"
        if status in (MANIFESTED, PROCESSING) and not arn:
            return f"platform-ops intake replay --manifest-id {manifest_id} (starts it)"
        if status in (MANIFESTED, PROCESSING):
            execution = self.executions.get(arn or "", {}).get("status", "NOT_FOUND")
            if execution == "RUNNING":
                return "nothing: its execution is running"
            return (
                f"its execution ended ({execution}) without recording an outcome: "
                "platform-ops intake reset-stuck, then: platform-ops intake replay"
            )
        if any(f.status == QUARANTINED for f in self.files):
            return "fix each quarantined file, then: platform-ops intake readmit FILE"
        return "nothing: completed"


def manifest_report(table: TrackingTable, stepfunctions: Any, manifest_id: str) -> ManifestReport | None:
    """The manifest `manifest_id` (its date is the id's first ten characters, as the builder names it)."""
    date_prefix = manifest_id[:10]
    item = table.manifest(date_prefix, manifest_id) if date_in(date_prefix) == date_prefix else None
    if item is None:
        return None
    files = [
        file
        for file in table.items(date_prefix)
        if isinstance(file, TrackedFile)
        and (file.manifest_id == manifest_id or manifest_id in file.previous_manifest_ids)
    ]
    executions = {arn: _describe(stepfunctions, arn) for arn in _execution_arns(item)}
    return ManifestReport(item, sorted(files, key=lambda f: f.file_key), executions)


def _execution_arns(manifest: TrackedManifest) -> list[str]:
    """The manifest's executions: its first, then each replay's."""
    arns = [manifest.execution_arn, *(replay.execution_arn for replay in manifest.replays)]
    return list(dict.fromkeys(filter(None, arns)))


@dataclass
class FileHistory:
    """A file's items (the tracked key, and later versions kept quarantined) and their manifests."""

    uri: str
    items: list[TrackedFile]
    manifests: dict[str, TrackedManifest]
    executions: dict[str, dict[str, Any]]

    def events(self) -> list[tuple[str, str]]:
        """(time, what happened), oldest first, from the timestamps the pipeline records."""
        events = []
        for item in self.items:
            converted = item.outcome_at
            if item.quarantine_reason and not converted:
                events.append((item.updated_at, f"quarantined: {item.quarantine_reason}"))
            else:
                events.append((item.created_at, f"tracked as pending ({item.size_bytes} bytes)"))
            if converted:
                events.append((converted, _outcome_event(item)))
            if item.readmitted_at:
                events.append((item.readmitted_at, "readmitted: pending again"))
            for manifest_id in _manifest_ids(item):
                manifest = self.manifests.get(manifest_id)
                if manifest:
                    events.extend(_manifest_events(manifest))
        # Stable sort: events recorded in the same instant keep the order they happen in.
        return sorted(dict.fromkeys(events), key=lambda event: event[0])


def _manifest_ids(item: TrackedFile) -> list[str]:
    """The manifests the file was in, then the one it is in."""
    return [*item.previous_manifest_ids, *filter(None, [item.manifest_id])]


def _outcome_event(item: TrackedFile) -> str:
    rows = (
        f"{item.records_written or 0} of {item.records_read or 0} lines written, "
        f"{item.records_rejected or 0} rejected"
    )
    if item.status == QUARANTINED:
        return f"quarantined by the job ({rows}): {item.quarantine_reason or ''}"
    if item.status == FAILED:
        return f"conversion failed: {item.error or ''}"[:300]
    return f"converted ({rows})"


def _manifest_events(manifest: TrackedManifest) -> list[tuple[str, str]]:
    manifest_id = manifest.manifest_id
    events = [(manifest.created_at, f"in manifest {manifest_id} ({manifest.manifest_path})")]
    if manifest.execution_started_at:
        events.append((manifest.execution_started_at, f"execution started: {manifest.execution_arn}"))
    for replay in manifest.replays:
        events.append((replay.at, f"replayed ({replay.previous_status}): {replay.execution_arn}"))
    if manifest.start_failed_at:
        events.append((manifest.start_failed_at, f"execution could not start: {manifest.start_error}"))
    if manifest.started_at:
        events.append((manifest.started_at, "processing (Glue job started)"))
    if manifest.completed_at:
        events.append((manifest.completed_at, f"completed (Glue run {manifest.glue_job_run_id or '?'})"))
    if manifest.failed_at:
        failure = f"failed: {manifest.error or '?'}: {manifest.error_cause or ''}"
        events.append((manifest.failed_at, failure[:300]))
    return events


def file_history(table: TrackingTable, stepfunctions: Any, uri: str, now: datetime) -> FileHistory:
    """Everything tracked about `uri` (s3://bucket/key): its items, manifests and their executions."""
    if not uri.startswith(FILE_PREFIX):
        raise ValueError(f"a file is named by its s3://bucket/key URI, not {uri!r}")
    date_prefix, found = date_prefix_for(uri[len(FILE_PREFIX) :].split("/", 1)[-1], now)
    items = table.file_items(uri, date_prefix if found else None)
    if not items and found:
        # A file whose date could not be read from its key was partitioned under its arrival date.
        items = table.file_items(uri, None)
    manifests = {}
    for item in items:
        for manifest_id in _manifest_ids(item):
            manifest = table.manifest(item.date_prefix, manifest_id)
            if manifest:
                manifests[manifest_id] = manifest
    executions = {
        arn: _describe(stepfunctions, arn)
        for manifest in manifests.values()
        for arn in _execution_arns(manifest)
    }
    return FileHistory(uri, items, manifests, executions)


def _describe(stepfunctions: Any, execution_arn: str) -> dict[str, Any]:
    try:
        execution = stepfunctions.describe_execution(executionArn=execution_arn)
    except stepfunctions.exceptions.ExecutionDoesNotExist:
        return {"status": "NOT_FOUND"}
    return {"status": execution["status"], "startDate": str(execution.get("startDate", ""))}
