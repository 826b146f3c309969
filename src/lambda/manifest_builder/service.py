"""The manifest builder's two jobs: register the files of an SQS batch, and sweep past dates on schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from platform_common.observability import Count, not_counted
from platform_common.sns import Notifier

from .aws import AwsClients, ObjectStore, Workflow
from .batching import PendingFile
from .config import Config
from .events import EventFormatError, parse_sqs_record
from .flushing import FlushResult, PartitionFlusher, sweep_dates
from .intake import OUTCOME_METRICS, FileIntake
from .reconciliation import Reconciler, ReconciliationResult
from .tracking import PartitionCounters, TrackingTable

logger = logging.getLogger(__name__)

# What the operator CLI receives from the builder's public methods and attributes.
__all__ = ["FlushResult", "ManifestBuilder", "PendingFile", "ReconciliationResult"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ManifestBuilder:
    def __init__(
        self,
        config: Config,
        clients: AwsClients,
        now: Callable[[], datetime] = utc_now,
        count: Count = not_counted,
    ) -> None:
        self.config = config
        self.now = now
        self._count = count
        self.table = TrackingTable(clients.dynamodb, config.tracking_table)
        store = ObjectStore(clients.s3)
        notifier = Notifier(clients.sns, config.sns_topic_arn)
        self.intake = FileIntake(config, self.table, store, notifier, now)
        self.flusher = PartitionFlusher(
            config, self.table, store, Workflow(clients.stepfunctions), notifier, now, count
        )
        self.reconciler = Reconciler(config, self.table, clients.s3, self.intake, self.flusher, now, count)

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        clients: AwsClients | None = None,
        count: Count = not_counted,
    ) -> ManifestBuilder:
        return cls(Config.from_environ(environ), clients or AwsClients.create(), count=count)

    def handle_sqs_batch(self, records: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
        """Registers every object, then flushes the partitions that became due.

        Returns the SQS partial batch response: only messages whose work failed are retried. A file stays
        tracked as pending when a flush fails, and its message is retried so the flush is tried again.

        This is written by hand rather than with Powertools' BatchProcessor, which decides each record's
        fate from that record's own handler call: here a flush runs once per date after every record is
        registered, and its failure fails every message that fed that date, already registered or not.
        """
        failed: list[str] = []
        due: dict[str, tuple[PartitionCounters, list[str]]] = {}
        for record in records:
            message_id = record.get("messageId", "")
            try:
                message = parse_sqs_record(record)
                for obj in message.objects:
                    registration = self.intake.register(obj)
                    self._count(OUTCOME_METRICS[registration.outcome])
                    if registration.counters is not None:
                        _note(due, registration.date_prefix, registration.counters, message_id)
            except EventFormatError:
                logger.exception(
                    "unreadable message %s: left to the queue's retries and dead-letter queue",
                    message_id,
                    extra={"event": "message_unreadable", "message_id": message_id},
                )
                failed.append(message_id)
            except Exception:
                logger.exception(
                    "message %s failed: it will be retried",
                    message_id,
                    extra={"event": "message_failed", "message_id": message_id},
                )
                failed.append(message_id)

        for date_prefix, (counters, message_ids) in sorted(due.items()):
            if not self.flusher.needs_flush(date_prefix, counters):
                continue
            try:
                result = self.flusher.flush(date_prefix)
            except Exception:
                logger.exception(
                    "flush of %s failed: its files stay pending, messages retried",
                    date_prefix,
                    extra={"event": "flush_failed", "date_prefix": date_prefix},
                )
                failed.extend(message_ids)
                continue
            if result.start_failures:
                failed.extend(message_ids)
        failed = list(dict.fromkeys(failed))
        self._count("MessagesFailed", len(failed))
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    def sweep(self) -> dict[str, Any]:
        """Flushes every past date, within SWEEP_LOOKBACK_DAYS, whose counters show pending files, and today's
        once its oldest pending file has waited MAX_BATCH_WAIT_SECONDS.

        Raises after trying every date if one failed, so the scheduled invocation is recorded as an error.
        """
        freshness = bool(self.config.max_batch_wait_seconds)
        dates = sweep_dates(self.now(), self.config.sweep_lookback_days, today_too=freshness)
        counters = self.table.counters_for(dates)
        flushed: dict[str, list[str]] = {}
        failed: list[str] = []
        for date_prefix, partition in sorted(counters.items()):
            if not self.flusher.needs_flush(date_prefix, partition):
                continue
            try:
                result = self.flusher.flush(date_prefix)
            except Exception:
                logger.exception(
                    "sweep: flush of %s failed",
                    date_prefix,
                    extra={"event": "sweep_flush_failed", "date_prefix": date_prefix},
                )
                failed.append(date_prefix)
                continue
            flushed[date_prefix] = result.manifest_ids
            if result.start_failures:
                failed.append(date_prefix)
        self._count("DatesSwept", len(flushed))
        if failed:
            raise RuntimeError(f"sweep could not finish dates {failed}; their files stay pending")
        return {"swept_dates": sorted(flushed), "manifest_ids": [m for ids in flushed.values() for m in ids]}


def reconcile_request(event: dict[str, Any]) -> bool:
    """The daily schedule of the reconciliation invokes the function with this constant input."""
    return event.get("action") == "reconcile"


def _note(
    due: dict[str, tuple[PartitionCounters, list[str]]],
    date_prefix: str,
    counters: PartitionCounters,
    message_id: str,
) -> None:
    known, message_ids = due.get(date_prefix, (counters, []))
    if counters.pending_count > known.pending_count:
        known = counters
    due[date_prefix] = (known, [*message_ids, message_id])
