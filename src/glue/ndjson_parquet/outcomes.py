"""The run's outcome in the intake's tracking table: each file's final status and rows, the manifest's totals.

The table has one owner, the manifest builder's `tracking` module (the build puts it into the job's library
zip); this is the job's side of it. Written when the run ends, before the state machine marks the manifest
completed and reads the quarantined files from its item to alert on them. Without --TRACKING_TABLE (local
runs of `ndjson-to-parquet`) nothing is recorded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import boto3
from manifest_builder.tracking import (
    COMPLETED,
    FAILED,
    QUARANTINED,
    FileOutcomeRecord,
    ManifestTotals,
    TrackingTable,
)

from ndjson_parquet.job import JobStats
from ndjson_parquet.manifest import Manifest

LOG = logging.getLogger("ndjson_parquet")


def record(table_name: str, stats: JobStats, dynamodb: Any = None, now: datetime | None = None) -> None:
    """Each listed file's status (completed or quarantined) and counts, then the manifest's totals."""
    if not table_name:
        return
    table = TrackingTable(dynamodb or boto3.client("dynamodb"), table_name)
    now = now or datetime.now(UTC)
    for outcome in stats.files:
        status = QUARANTINED if outcome.quarantine_reason else COMPLETED
        _record_file(
            table,
            stats.date_prefix,
            stats.manifest_id,
            FileOutcomeRecord(
                outcome.uri,
                status,
                outcome.records_read,
                outcome.records_written,
                outcome.records_rejected,
                outcome.quarantine_reason,
            ),
            now,
        )
    table.record_manifest_totals(
        stats.date_prefix,
        stats.manifest_id,
        ManifestTotals(
            stats.records_read,
            stats.records_written,
            stats.records_rejected,
            tuple(f"{outcome.uri}: {outcome.quarantine_reason}" for outcome in stats.quarantined),
        ),
        now,
    )


def record_failure(
    table_name: str,
    manifest: Manifest,
    error: BaseException,
    dynamodb: Any = None,
    now: datetime | None = None,
) -> None:
    """Each listed file `failed` with the run's error (the manifest's own failure is the state machine's)."""
    if not table_name:
        return
    table = TrackingTable(dynamodb or boto3.client("dynamodb"), table_name)
    now = now or datetime.now(UTC)
    reason = f"{type(error).__name__}: {error}"[:1000]
    for uri in manifest.uris:
        _record_file(
            table,
            manifest.date_prefix,
            manifest.manifest_id,
            FileOutcomeRecord(uri, FAILED, reason=reason),
            now,
        )


def _record_file(
    table: TrackingTable, date_prefix: str, manifest_id: str, outcome: FileOutcomeRecord, now: datetime
) -> None:
    if not table.record_file_outcome(date_prefix, manifest_id, outcome, now):
        LOG.warning(
            "%s is no longer in manifest %s (readmitted or not tracked): its outcome is not recorded",
            outcome.file_key,
            manifest_id,
            extra={
                "event": "file_outcome_skipped",
                "manifest_id": manifest_id,
                "date_prefix": date_prefix,
                "file_key": outcome.file_key,
            },
        )
