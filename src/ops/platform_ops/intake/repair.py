"""The write side: replay manifests, force a partial batch, and return stuck manifests to a replayable state.

Each action has a plan (what it would do, for `--dry-run`) and goes through the manifest builder's own code
wherever the builder already does the thing: cutting manifests and starting their executions happen under
the partition lock, with the same names and the same tracking writes as in the Lambda.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from manifest_builder.aws import Workflow
from manifest_builder.manifests import execution_input
from manifest_builder.partitioning import date_prefix_for
from manifest_builder.service import FlushResult, ManifestBuilder, PendingFile
from manifest_builder.tracking import (
    BUILDING,
    FAILED,
    FILE_PREFIX,
    MANIFESTED,
    NotReadmittable,
    ObjectCreated,
    TrackedFile,
    TrackingTable,
    is_readmittable,
    iso,
)

from platform_ops.intake.inventory import Inventory

STUCK_ERROR = "StuckReset"


def flush_plan(builder: ManifestBuilder, date_prefix: str) -> list[list[PendingFile]]:
    """The manifests `flush` would cut now, in order, files pending since before markers existed included
    (the builder's own plan of its flush: its selection rules, its audit of the markers)."""
    return builder.flusher.plan(date_prefix)


def flush(builder: ManifestBuilder, date_prefix: str) -> FlushResult:
    """Cuts every pending file of the date into manifests, partial ones included, and starts them.

    The builder's flush takes the partition lock, finishes manifests an interrupted invocation left, and
    starts executions unless STEP_FUNCTION_ARN is blank.
    """
    return builder.flusher.flush(date_prefix, force_partial=True)


@dataclass(frozen=True)
class Replay:
    manifest_id: str
    date_prefix: str
    previous_status: str
    execution_name: str


def replay_plan(inventory: Inventory, manifest_ids: set[str] | None = None) -> list[Replay]:
    """Manifests never started (rollback, failed start) under their own name; failed ones as replays."""
    plan = []
    for manifest in inventory.manifests_with_status(MANIFESTED, BUILDING, FAILED):
        if manifest_ids and manifest.manifest_id not in manifest_ids:
            continue
        if manifest.status == FAILED:
            name = f"{manifest.manifest_id}-replay-{len(manifest.replays) + 1}"
        elif manifest.execution_arn:
            continue  # started and not finished: reset-stuck decides when that is stuck
        else:
            name = manifest.manifest_id
        plan.append(Replay(manifest.manifest_id, manifest.date_prefix, manifest.status, name))
    return plan


def replay(builder: ManifestBuilder, workflow: Workflow, plan: list[Replay], now: datetime) -> list[str]:
    """Starts the planned executions; returns the ids of the manifests started.

    Never-started manifests go through the builder's flush of their date, which starts them under the
    partition lock exactly as the Lambda retries a start (and also cuts whatever batch is due there). A
    failed manifest gets a new execution, since an execution name is never reused, named
    `<manifest_id>-replay-<n>`; two operators replaying it at once start it once (ExecutionAlreadyExists).
    """
    started = []
    never_started = [r for r in plan if r.previous_status != FAILED]
    for date_prefix in sorted({r.date_prefix for r in never_started}):
        result = builder.flusher.flush(date_prefix)
        if result.lock_busy:
            raise RuntimeError(f"the batching lock of {date_prefix} is busy: try again in a moment")
        # Batches that became due there were cut and started too.
        started.extend(result.manifest_ids)
    for item in never_started:
        manifest = builder.table.manifest(item.date_prefix, item.manifest_id)
        if manifest is None or manifest.execution_arn is None:
            raise RuntimeError(
                f"could not start {item.manifest_id}: see its start_error in the tracking table"
            )
        started.append(item.manifest_id)
    for item in (r for r in plan if r.previous_status == FAILED):
        failed = builder.table.manifest(item.date_prefix, item.manifest_id)
        arn = workflow.start(
            builder.config.step_function_arn,
            item.execution_name,
            execution_input(
                item.manifest_id, failed.manifest_path, item.date_prefix, failed.file_count, iso(now)
            ),
        )
        builder.table.record_replay(item.date_prefix, item.manifest_id, item.previous_status, arn, now)
        started.append(item.manifest_id)
    return started


@dataclass(frozen=True)
class StuckManifest:
    manifest_id: str
    date_prefix: str
    status: str
    updated_at: str
    execution_status: str
    action: str

    @property
    def resettable(self) -> bool:
        return self.action == RESET


RESET = "reset to failed, then `replay`"


def reset_plan(
    inventory: Inventory, stepfunctions: Any, now: datetime, older_than: timedelta
) -> list[StuckManifest]:
    """Every stuck manifest with what reset-stuck does about it.

    Only a manifest whose execution has ended (or vanished) without recording an outcome is reset: a
    running execution is slow, not stuck; a never-started manifest is already what `replay` starts; one
    left `building` is finished by the next flush of its date.
    """
    plan = []
    for manifest in inventory.stuck_manifests(now, older_than):
        arn = manifest.execution_arn
        execution_status = _execution_status(stepfunctions, arn) if arn else "NONE"
        if manifest.status == BUILDING:
            action = f"left as is: the next `flush {manifest.date_prefix}` or sweep finishes it"
        elif not arn:
            action = "left as is: `replay` starts it"
        elif execution_status == "RUNNING":
            action = "left as is: its execution is still running"
        else:
            action = RESET
        plan.append(
            StuckManifest(
                manifest.manifest_id,
                manifest.date_prefix,
                manifest.status,
                manifest.updated_at,
                execution_status,
                action,
            )
        )
    return plan


def reset(table: TrackingTable, plan: list[StuckManifest], now: datetime) -> list[str]:
    """Marks the resettable manifests failed, if unchanged since planned; returns the ids reset."""
    reset_ids = []
    for stuck in (s for s in plan if s.resettable):
        cause = (
            f"the manifest stayed {stuck.status} since {stuck.updated_at} while its execution is "
            f"{stuck.execution_status}; reset by platform-ops intake reset-stuck for replay"
        )
        # One that moved on since the plan was made is not stuck any more: left as it is.
        if table.fail_if_unchanged(
            stuck.date_prefix, stuck.manifest_id, stuck.status, stuck.updated_at, STUCK_ERROR, cause, now
        ):
            reset_ids.append(stuck.manifest_id)
    return reset_ids


def _execution_status(stepfunctions: Any, execution_arn: str) -> str:
    try:
        return stepfunctions.describe_execution(executionArn=execution_arn)["status"]
    except stepfunctions.exceptions.ExecutionDoesNotExist:
        return "NOT_FOUND"


@dataclass(frozen=True)
class Readmission:
    date_prefix: str
    item: TrackedFile  # the file's item as it is now
    current: ObjectCreated  # the object as it is now in S3 (it may have been fixed in place)


def readmit_plan(table: TrackingTable, s3: Any, uri: str, now: datetime) -> Readmission:
    """The file's quarantined item and its object as it is now; NotReadmittable unless the job quarantined
    it for its content."""
    if not uri.startswith(FILE_PREFIX):
        raise ValueError(f"a file is named by its s3://bucket/key URI, not {uri!r}")
    date_prefix, found = date_prefix_for(uri[len(FILE_PREFIX) :].split("/", 1)[-1], now)
    items = [item for item in table.file_items(uri, date_prefix if found else None) if item.file_key == uri]
    if not items and found:
        # A file whose date could not be read from its key was partitioned under its arrival date.
        items = [item for item in table.file_items(uri, None) if item.file_key == uri]
    item = items[0] if items else None
    if not is_readmittable(item):
        raise NotReadmittable(uri, item)
    bucket, key = uri[len(FILE_PREFIX) :].split("/", 1)
    head = s3.head_object(Bucket=bucket, Key=key)
    current = ObjectCreated(bucket, key, head["ContentLength"], head["ETag"], head.get("VersionId") or "")
    return Readmission(item.date_prefix, item, current)


def readmit(table: TrackingTable, plan: Readmission, now: datetime) -> None:
    """The file pending again (its counters counted), for the next manifest of its date."""
    table.readmit(plan.date_prefix, plan.item.file_key, plan.current, now)
