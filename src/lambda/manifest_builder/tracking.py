"""The tracking table: item schema and every DynamoDB read and write, with the conditions that make them safe.

One table, partition key ``date_prefix`` (YYYY-MM-DD), sort key ``file_key``. Item kinds by sort key:

* ``s3://<bucket>/<key>``: a file (status pending | manifested | quarantined, then, once its manifest's
  conversion ran, completed | quarantined | failed with its row counts).
* ``s3://<bucket>/<key>#<etag>``: a later version of an already manifested key, kept as quarantined.
* ``PENDING#s3://<bucket>/<key>``: a pending file's marker (its size, arrival and version), present exactly
  while the file is pending, so that a flush reads one manifest's worth of pending files, not the partition.
* ``MANIFEST#<manifest_id>``: a manifest (building -> manifested -> processing -> completed | failed).
* ``LOCK#BATCH``: the partition's batching lock (owner, expires_at).
* ``PARTITION#SUMMARY``: counters of pending files and bytes, an upper bound of the truth (see README).
* ``RECONCILIATION`` / ``CURSOR``: where the reconciliation's listing of the input prefix stopped.

Reads return each kind as its typed record (TrackedFile, PendingFile, TrackedManifest, BatchLock,
PartitionCounters, ReconciliationCursor), converted by its one ``from_item``: no caller sees an attribute map.
A write whose condition fails raises ConditionFailed, from one place (``_conditional``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .batching import PendingFile
from .events import ObjectCreated

# Statuses and key formats come from tracking_schema.json, which Terraform also renders into the state
# machine's definition: one spelling for the Lambda, the Glue job, the CLI and the state machine.
SCHEMA = json.loads(resources.files(__package__).joinpath("tracking_schema.json").read_text(encoding="utf-8"))
_KEYS, _STATUSES = SCHEMA["keys"], SCHEMA["statuses"]

PARTITION_SUMMARY = _KEYS["partition_summary"]
LOCK = _KEYS["lock"]
MANIFEST_PREFIX = _KEYS["manifest_prefix"]
FILE_PREFIX = _KEYS["file_prefix"]
PENDING_PREFIX = _KEYS["pending_prefix"]
# The reconciliation's cursor lives in a partition of its own, outside every date.
RECONCILIATION_PARTITION = _KEYS["reconciliation_partition"]
RECONCILIATION_CURSOR = _KEYS["reconciliation_cursor"]

PENDING = _STATUSES["pending"]
MANIFESTED = _STATUSES["manifested"]
QUARANTINED = _STATUSES["quarantined"]
BUILDING = _STATUSES["building"]
# Written by the state machine (asl/manifest_processing.asl.json.tftpl), the Glue job and the operator CLI.
PROCESSING = _STATUSES["processing"]
COMPLETED = _STATUSES["completed"]
FAILED = _STATUSES["failed"]
# The prefix of the quarantine reason the Glue job gives a file it could not convert (too many rejected
# lines, unreadable); only such a file can be readmitted.
BAD_CONTENT = SCHEMA["quarantine_reasons"]["bad_content"]

# A transaction holds at most 100 actions; one is the lock check that fences every batch write.
_ACTIONS_PER_TRANSACTION = 99
_BATCH_GET_LIMIT = 100

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments for the key schema this module relies on, for tests and benchmarks.

    Terraform's dynamodb module provisions the same keys in AWS.
    """
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": "date_prefix", "KeyType": "HASH"},
            {"AttributeName": "file_key", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "date_prefix", "AttributeType": "S"},
            {"AttributeName": "file_key", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


# An item as DynamoDB returns it: attribute names to typed values ({"status": {"S": "pending"}, ...}).
Attributes = dict[str, Any]


def _from_attributes(item: Attributes) -> dict[str, Any]:
    """A tracking item in plain values (numbers as int)."""
    plain = {name: _deserializer.deserialize(value) for name, value in item.items()}
    return {name: int(v) if isinstance(v, Decimal) else v for name, v in plain.items()}


class _Record:
    """What the records of every item kind share: taking their fields from an item, giving them for output."""

    @classmethod
    def _held(cls, plain: dict[str, Any]) -> dict[str, Any]:
        # Attributes no field names (item_type) are the table's own bookkeeping, not the record's.
        return {f.name: plain[f.name] for f in fields(cls) if f.name in plain}

    def as_dict(self) -> dict[str, Any]:
        """The values the item holds (fields it lacks, None or empty, left out), sequences as lists: what
        the operator CLI prints, as it printed the items' attributes."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) not in (None, ())
        }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(member) for member in value]
    return value.as_dict() if isinstance(value, _Record) else value


@dataclass(frozen=True, kw_only=True)
class _RowCounts(_Record):
    """The rows the Glue job counted, on a file's item and on its manifest's: absent until its run ended."""

    records_read: int | None = None
    records_written: int | None = None
    records_rejected: int | None = None


@dataclass(frozen=True)
class TrackedFile(_RowCounts):
    """A file item (``s3://<bucket>/<key>``), or a later version of an already manifested key kept
    quarantined (``s3://<bucket>/<key>#<etag>``). Times are ISO 8601 UTC strings, as stored: they sort."""

    date_prefix: str
    file_key: str
    status: str
    bucket: str = ""
    key: str = ""
    size_bytes: int = 0
    etag: str = ""
    version_id: str | None = None
    created_at: str = ""
    updated_at: str = ""
    manifest_id: str | None = None
    manifest_path: str | None = None
    quarantine_reason: str | None = None
    quarantine_path: str | None = None
    outcome_at: str | None = None
    error: str | None = None
    readmitted_at: str | None = None
    previous_manifest_ids: tuple[str, ...] = ()

    @classmethod
    def from_item(cls, item: Attributes) -> TrackedFile:
        plain = _from_attributes(item)
        return cls(
            **{**cls._held(plain), "previous_manifest_ids": tuple(plain.get("previous_manifest_ids", ()))}
        )

    def pending_file(self) -> PendingFile:
        return PendingFile(self.file_key, self.size_bytes, self.created_at, self.etag, self.version_id or "")


@dataclass(frozen=True)
class ManifestReplay(_Record):
    at: str
    previous_status: str
    execution_arn: str


@dataclass(frozen=True)
class TrackedManifest(_RowCounts):
    """A manifest item (``MANIFEST#<manifest_id>``): written by the builder; the state machine adds its
    execution, start, completion, Glue run and failure; the Glue job its totals."""

    date_prefix: str
    manifest_id: str
    status: str
    manifest_path: str = ""
    file_count: int = 0
    total_bytes: int = 0
    created_at: str = ""
    updated_at: str = ""
    execution_arn: str | None = None
    execution_started_at: str | None = None
    start_failed_at: str | None = None
    start_error: str | None = None
    replays: tuple[ManifestReplay, ...] = ()
    started_at: str | None = None
    completed_at: str | None = None
    glue_job_run_id: str | None = None
    error: str | None = None
    error_cause: str | None = None
    failed_at: str | None = None
    files_quarantined: int | None = None
    quarantined_files: tuple[str, ...] = ()

    @classmethod
    def from_item(cls, item: Attributes) -> TrackedManifest:
        plain = _from_attributes(item)
        return cls(
            **{
                **cls._held(plain),
                "replays": tuple(
                    ManifestReplay(**ManifestReplay._held(replay)) for replay in plain.get("replays", ())
                ),
                "quarantined_files": tuple(plain.get("quarantined_files", ())),
            }
        )


@dataclass(frozen=True)
class BatchLock(_Record):
    date_prefix: str
    owner: str
    acquired_at: str
    expires_at: int  # epoch seconds, also the table's TTL attribute

    @classmethod
    def from_item(cls, item: Attributes) -> BatchLock:
        return cls(**cls._held(_from_attributes(item)))


@dataclass(frozen=True)
class PartitionCounters(_Record):
    pending_count: int = 0
    pending_bytes: int = 0
    unstarted_manifests: int = 0
    last_arrival_at: str = ""
    # When the oldest file still pending arrived (or earlier: never later), for MAX_BATCH_WAIT_SECONDS.
    oldest_pending_at: str = ""

    @classmethod
    def from_item(cls, item: Attributes) -> PartitionCounters:
        return cls(**cls._held(_from_attributes(item)))


@dataclass(frozen=True)
class ReconciliationCursor(_Record):
    """Where the reconciliation's listing stopped (no token: the next run starts at the prefix's beginning)
    and the counts of the pass under way."""

    token: str | None = None
    pass_listed: int = 0
    pass_registered: int = 0
    pass_started_at: str = ""
    last_pass_completed_at: str | None = None
    updated_at: str = ""

    @classmethod
    def from_item(cls, item: Attributes) -> ReconciliationCursor:
        return cls(**cls._held(_from_attributes(item)))


# The kinds read by key alone, with GetItem.
_Kind = TypeVar("_Kind", TrackedFile, TrackedManifest, PartitionCounters, ReconciliationCursor)


def _pending_file(marker: Attributes) -> PendingFile:
    """A pending marker (``PENDING#<file uri>``) as the pending file it marks."""
    plain = _from_attributes(marker)
    return PendingFile(
        plain["file_key"].removeprefix(PENDING_PREFIX),
        plain["size_bytes"],
        plain.get("created_at", ""),
        plain.get("etag", ""),
        plain.get("version_id", ""),
    )


TrackingRecord = (
    TrackedFile | TrackedManifest | PendingFile | BatchLock | PartitionCounters | ReconciliationCursor
)


def _record(item: Attributes) -> TrackingRecord:
    """Any item, as the record of its kind, which its keys tell."""
    file_key = item["file_key"]["S"]
    if item["date_prefix"]["S"] == RECONCILIATION_PARTITION:
        return ReconciliationCursor.from_item(item)
    if file_key.startswith(PENDING_PREFIX):
        return _pending_file(item)
    if file_key.startswith(MANIFEST_PREFIX):
        return TrackedManifest.from_item(item)
    if file_key == LOCK:
        return BatchLock.from_item(item)
    if file_key == PARTITION_SUMMARY:
        return PartitionCounters.from_item(item)
    if file_key.startswith(FILE_PREFIX):
        return TrackedFile.from_item(item)
    raise ValueError(f"not an item of the tracking table: {file_key!r}")


class NotReadmittable(ValueError):
    """Only a file the Glue job quarantined for its content can be readmitted."""

    def __init__(self, file_key: str, item: TrackedFile | None) -> None:
        self.item = item
        state = (
            item.status + (f" ({item.quarantine_reason})" if item.quarantine_reason else "")
            if item
            else "not tracked"
        )
        super().__init__(
            f"{file_key} is {state}: only a file quarantined by the job for its content ({BAD_CONTENT}) "
            "can be readmitted"
        )


def is_readmittable(item: TrackedFile | None) -> bool:
    """A file item the Glue job quarantined for its content; a file the builder refused (extension, size,
    date, re-upload) is fixed by uploading a valid file instead."""
    return (
        item is not None
        and item.status == QUARANTINED
        and (item.quarantine_reason or "").startswith(BAD_CONTENT)
        and bool(item.manifest_id)
    )


@dataclass(frozen=True)
class FileOutcomeRecord:
    """What the conversion of a manifest did with one of its files (``status`` completed, quarantined or
    failed; ``reason`` the quarantine reason or the error)."""

    file_key: str
    status: str
    records_read: int = 0
    records_written: int = 0
    records_rejected: int = 0
    reason: str | None = None


@dataclass(frozen=True)
class ManifestTotals:
    records_read: int
    records_written: int
    records_rejected: int
    quarantined_files: tuple[str, ...] = ()


class LockLost(RuntimeError):
    """The lock expired or passed to another owner: this invocation must stop writing batch state."""


@dataclass(frozen=True)
class ManifestRecord:
    """A manifest to write: its files move into it (the item read back is a TrackedManifest)."""

    manifest_id: str
    manifest_path: str
    file_keys: list[str]
    total_bytes: int


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _expression(values: dict[str, Any]) -> dict[str, Any]:
    return {f":{name}": _serializer.serialize(value) for name, value in values.items()}


def _names(*names: str) -> dict[str, str]:
    # Several attribute names (status, size, key, owner) are DynamoDB reserved words: alias them all.
    return {f"#{name}": name for name in names}


class ConditionFailed(Exception):
    """A conditional write found an item in another state than the one it was conditioned on.

    `item`: that item's record as it was, when the write asked DynamoDB to return it; `action`: in a
    transaction, the position of the action whose condition failed (0 for a single write).
    """

    def __init__(self, item: TrackingRecord | None, action: int = 0) -> None:
        self.item = item
        self.action = action
        where = f" (action {action} of the transaction)" if action else ""
        super().__init__(f"the item is not in the state the write was conditioned on{where}")


@contextmanager
def _conditional() -> Iterator[None]:
    """Turns DynamoDB's failed condition, of a write or of any action of a transaction, into ConditionFailed:
    the one place that reads its error codes."""
    try:
        yield
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed(_returned(error.response.get("Item"))) from None
        reasons = error.response.get("CancellationReasons") or []
        failed = [i for i, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
        if code == "TransactionCanceledException" and failed:
            raise ConditionFailed(_returned(reasons[failed[0]].get("Item")), failed[0]) from None
        raise


def _returned(item: Attributes | None) -> TrackingRecord | None:
    return _record(item) if item else None


def _succeeded(write: Any, **request: Any) -> bool:
    """Runs a conditional write; False when its condition did not hold."""
    try:
        with _conditional():
            write(**request)
    except ConditionFailed:
        return False
    return True


class TrackingTable:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, date_prefix: str, file_key: str) -> dict[str, Any]:
        return {"date_prefix": {"S": date_prefix}, "file_key": {"S": file_key}}

    # Arrivals ------------------------------------------------------------------------------------------

    def count_arrival(self, date_prefix: str, size_bytes: int, now: datetime) -> PartitionCounters:
        """Counts a file in before its item is written, so the counters never undercount (see README)."""
        response = self._client.update_item(
            TableName=self._table,
            Key=self._key(date_prefix, PARTITION_SUMMARY),
            UpdateExpression="ADD #pending_count :one, #pending_bytes :size "
            "SET #item_type = :kind, #last_arrival_at = :now, "
            "#oldest_pending_at = if_not_exists(#oldest_pending_at, :now)",
            ExpressionAttributeNames=_names(
                "pending_count", "pending_bytes", "item_type", "last_arrival_at", "oldest_pending_at"
            ),
            ExpressionAttributeValues=_expression(
                {"one": 1, "size": size_bytes, "kind": "partition", "now": iso(now)}
            ),
            ReturnValues="ALL_NEW",
        )
        return PartitionCounters.from_item(response["Attributes"])

    def adjust_counters(
        self, date_prefix: str, files: int = 0, size_bytes: int = 0, unstarted: int = 0
    ) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(date_prefix, PARTITION_SUMMARY),
            UpdateExpression="ADD #pending_count :files, #pending_bytes :size, "
            "#unstarted_manifests :unstarted",
            ExpressionAttributeNames=_names("pending_count", "pending_bytes", "unstarted_manifests"),
            ExpressionAttributeValues=_expression(
                {"files": files, "size": size_bytes, "unstarted": unstarted}
            ),
        )

    def set_oldest_pending(self, date_prefix: str, oldest: str | None, last_arrival_seen: str) -> None:
        """Records the oldest pending file's arrival after a flush; none left forgets it, unless a file
        arrived meanwhile (its arrival stays later than the value kept, so the partition is only looked at
        sooner, never later)."""
        if oldest:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(date_prefix, PARTITION_SUMMARY),
                UpdateExpression="SET #oldest_pending_at = :oldest",
                ExpressionAttributeNames=_names("oldest_pending_at"),
                ExpressionAttributeValues=_expression({"oldest": oldest}),
            )
            return
        _succeeded(
            self._client.update_item,
            TableName=self._table,
            Key=self._key(date_prefix, PARTITION_SUMMARY),
            UpdateExpression="REMOVE #oldest_pending_at",
            ConditionExpression="#last_arrival_at = :seen",
            ExpressionAttributeNames=_names("oldest_pending_at", "last_arrival_at"),
            ExpressionAttributeValues=_expression({"seen": last_arrival_seen}),
        )

    def insert_file(
        self,
        date_prefix: str,
        file_key: str,
        obj: ObjectCreated,
        status: str,
        now: datetime,
        quarantine_reason: str | None = None,
        quarantine_path: str | None = None,
    ) -> TrackedFile | None:
        """Writes the file item unless one exists; returns the existing item, or None when written."""
        item = {
            "date_prefix": date_prefix,
            "file_key": file_key,
            "item_type": "file",
            "status": status,
            "bucket": obj.bucket,
            "key": obj.key,
            "size_bytes": obj.size_bytes,
            "etag": obj.etag,
            "version_id": obj.version_id or None,
            "created_at": iso(now),
            "updated_at": iso(now),
            "quarantine_reason": quarantine_reason,
            "quarantine_path": quarantine_path,
        }
        put = {
            "TableName": self._table,
            "Item": _to_attributes(item),
            "ConditionExpression": "attribute_not_exists(file_key)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        try:
            with _conditional():
                if status == PENDING:
                    self._client.transact_write_items(
                        TransactItems=[
                            {"Put": put},
                            self._put_marker(
                                date_prefix, file_key, obj.size_bytes, iso(now), obj.etag, obj.version_id
                            ),
                        ]
                    )
                else:
                    self._client.put_item(**put)
        except ConditionFailed as existing:
            return existing.item or self.file(date_prefix, file_key)
        return None

    def _put_marker(
        self, date_prefix: str, file_key: str, size_bytes: int, created_at: str, etag: str, version_id: str
    ) -> dict[str, Any]:
        """The pending marker of a file, written in the same transaction that makes the file pending."""
        marker = {
            "date_prefix": date_prefix,
            "file_key": PENDING_PREFIX + file_key,
            "item_type": "pending",
            "size_bytes": size_bytes,
            "created_at": created_at,
            "etag": etag,
            "version_id": version_id or None,
        }
        return {"Put": {"TableName": self._table, "Item": _to_attributes(marker)}}

    def _get(self, date_prefix: str, file_key: str, kind: type[_Kind]) -> _Kind | None:
        response = self._client.get_item(
            TableName=self._table, Key=self._key(date_prefix, file_key), ConsistentRead=True
        )
        return kind.from_item(response["Item"]) if "Item" in response else None

    def file(self, date_prefix: str, file_key: str) -> TrackedFile | None:
        """The file item (or version item) `file_key`, strongly consistent; None when not tracked."""
        return self._get(date_prefix, file_key, TrackedFile)

    def replace_file_version(
        self,
        date_prefix: str,
        file_key: str,
        expected_status: str,
        expected_etag: str,
        obj: ObjectCreated,
        status: str,
        now: datetime,
        quarantine_reason: str | None = None,
        quarantine_path: str | None = None,
        leaves_manifest: str | None = None,
        created_at: str = "",
    ) -> bool:
        """Moves an item to a new ETag if it still has the status and ETag the caller decided on.

        An item that is `pending` afterwards gets its marker rewritten with the new version (`created_at`:
        the item's, its wait for a manifest). Only a manifest moves an item out of `pending`.

        `leaves_manifest`: the manifest the item was in (a file the job quarantined, uploaded again valid):
        the item leaves it, keeping it in `previous_manifest_ids`, so a replay of it no longer records this
        file's outcome, and its earlier outcome goes.
        """
        sets: dict[str, Any] = {
            "status": status,
            "size_bytes": obj.size_bytes,
            "etag": obj.etag,
            "updated_at": iso(now),
        }
        removes = []
        values: dict[str, Any] = {}
        previous = ""
        if leaves_manifest:
            previous = (
                ", #previous_manifest_ids = "
                "list_append(if_not_exists(#previous_manifest_ids, :none), :left_manifest)"
            )
            values = {"none": [], "left_manifest": [leaves_manifest]}
            removes += ["manifest_id", "manifest_path", "records_read", "records_written"]
            removes += ["records_rejected", "outcome_at"]
        if obj.version_id:
            sets["version_id"] = obj.version_id
        else:
            removes.append("version_id")
        if quarantine_reason is None:
            removes += ["quarantine_reason", "quarantine_path"]
        else:
            sets.update(quarantine_reason=quarantine_reason, quarantine_path=quarantine_path)
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in sets) + previous
        if removes:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in removes)
        extra_names = ("previous_manifest_ids",) if leaves_manifest else ()
        update = {
            "TableName": self._table,
            "Key": self._key(date_prefix, file_key),
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :expected_status AND #etag = :expected_etag",
            "ExpressionAttributeNames": _names(*sets, *removes, *extra_names),
            "ExpressionAttributeValues": _expression(
                {**sets, **values, "expected_status": expected_status, "expected_etag": expected_etag}
            ),
        }
        if status != PENDING:
            return _succeeded(self._client.update_item, **update)
        marker = self._put_marker(date_prefix, file_key, obj.size_bytes, created_at, obj.etag, obj.version_id)
        return _succeeded(self._client.transact_write_items, TransactItems=[{"Update": update}, marker])

    # Counters ------------------------------------------------------------------------------------------

    def counters(self, date_prefix: str) -> PartitionCounters:
        return self._get(date_prefix, PARTITION_SUMMARY, PartitionCounters) or PartitionCounters()

    def counters_for(self, dates: Iterable[str]) -> dict[str, PartitionCounters]:
        """Counters of many partitions with BatchGetItem (100 keys a request); absent partitions omitted."""
        found: dict[str, PartitionCounters] = {}
        dates = list(dates)
        for start in range(0, len(dates), _BATCH_GET_LIMIT):
            request = {
                self._table: {
                    "Keys": [
                        self._key(d, PARTITION_SUMMARY) for d in dates[start : start + _BATCH_GET_LIMIT]
                    ],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    found[item["date_prefix"]["S"]] = PartitionCounters.from_item(item)
                request = response.get("UnprocessedKeys") or {}
        return found

    def reconcile_counters(
        self, date_prefix: str, observed: PartitionCounters, pending_count: int, pending_bytes: int
    ) -> bool:
        """Sets the counters to the counted truth unless an arrival or decrement happened since `observed`."""
        return _succeeded(
            self._client.update_item,
            TableName=self._table,
            Key=self._key(date_prefix, PARTITION_SUMMARY),
            UpdateExpression="SET #pending_count = :count, #pending_bytes = :bytes",
            ConditionExpression="#pending_count = :observed_count AND #pending_bytes = :observed_bytes "
            "AND #last_arrival_at = :observed_arrival",
            ExpressionAttributeNames=_names("pending_count", "pending_bytes", "last_arrival_at"),
            ExpressionAttributeValues=_expression(
                {
                    "count": pending_count,
                    "bytes": pending_bytes,
                    "observed_count": observed.pending_count,
                    "observed_bytes": observed.pending_bytes,
                    "observed_arrival": observed.last_arrival_at,
                }
            ),
        )

    # Lock ----------------------------------------------------------------------------------------------

    def acquire_lock(self, date_prefix: str, owner: str, now: datetime, ttl_seconds: int) -> bool:
        """Takes the partition lock if it is free or its holder's lease has run out."""
        epoch = int(now.timestamp())
        return _succeeded(
            self._client.put_item,
            TableName=self._table,
            Item=_to_attributes(
                {
                    "date_prefix": date_prefix,
                    "file_key": LOCK,
                    "item_type": "lock",
                    "owner": owner,
                    "acquired_at": iso(now),
                    "expires_at": epoch + ttl_seconds,
                }
            ),
            ConditionExpression="attribute_not_exists(file_key) OR #expires_at <= :now",
            ExpressionAttributeNames=_names("expires_at"),
            ExpressionAttributeValues=_expression({"now": epoch}),
        )

    def release_lock(self, date_prefix: str, owner: str) -> None:
        # Another invocation took over an expired lease: it is theirs to release.
        _succeeded(
            self._client.delete_item,
            TableName=self._table,
            Key=self._key(date_prefix, LOCK),
            ConditionExpression="#owner = :owner",
            ExpressionAttributeNames=_names("owner"),
            ExpressionAttributeValues=_expression({"owner": owner}),
        )

    def _lock_check(self, date_prefix: str, owner: str, now: datetime) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": self._key(date_prefix, LOCK),
                "ConditionExpression": "#owner = :owner AND #expires_at > :now",
                "ExpressionAttributeNames": _names("owner", "expires_at"),
                "ExpressionAttributeValues": _expression({"owner": owner, "now": int(now.timestamp())}),
            }
        }

    def _fenced(self, date_prefix: str, owner: str, now: datetime, actions: list[dict[str, Any]]) -> None:
        """Runs the actions in one transaction that only commits while `owner` holds a live lock."""
        try:
            with _conditional():
                self._client.transact_write_items(
                    TransactItems=[self._lock_check(date_prefix, owner, now), *actions]
                )
        except ConditionFailed as failed:
            if failed.action == 0:
                raise LockLost(f"lock on {date_prefix} no longer held by {owner}") from failed
            raise

    # Batches -------------------------------------------------------------------------------------------

    def pending_files(
        self, date_prefix: str, limit: int | None = None, after: str | None = None
    ) -> list[PendingFile]:
        """The pending files of the partition (the first `limit` of them, those whose key sorts after `after`
        when given), in file-key order, strongly consistent: their markers only, so the items read do not
        grow with the partition's other items."""
        start = {"ExclusiveStartKey": self._key(date_prefix, PENDING_PREFIX + after)} if after else {}
        return [
            _pending_file(item)
            for item in self._query(date_prefix, PENDING_PREFIX, values={}, limit=limit, **start)
        ]

    def pending_file_items(self, date_prefix: str) -> list[PendingFile]:
        """Every pending file of the partition, read from the file items rather than the markers: the audit
        of the rare flush whose counters disagree with the markers. It reads the whole partition."""
        return [
            TrackedFile.from_item(item).pending_file()
            for item in self._query(
                date_prefix,
                FILE_PREFIX,
                FilterExpression="#status = :pending",
                ProjectionExpression="#date_prefix, #file_key, #status, #size_bytes, #created_at, #etag, "
                "#version_id",
                ExpressionAttributeNames=_names(
                    "status", "file_key", "size_bytes", "created_at", "etag", "version_id"
                ),
                values={"pending": PENDING},
            )
        ]

    def restore_pending_markers(self, date_prefix: str, unmarked: Iterable[PendingFile]) -> int:
        """Writes the marker of each pending file that has none (one tracked before markers existed), unless
        the file changed meanwhile or got its marker; returns how many it wrote."""
        written = 0
        for file in unmarked:
            marker = self._put_marker(
                date_prefix, file.file_key, file.size_bytes, file.created_at, file.etag, file.version_id
            )
            marker["Put"]["ConditionExpression"] = "attribute_not_exists(file_key)"
            still_pending = {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": self._key(date_prefix, file.file_key),
                    "ConditionExpression": "#status = :pending AND #etag = :etag",
                    "ExpressionAttributeNames": _names("status", "etag"),
                    "ExpressionAttributeValues": _expression({"pending": PENDING, "etag": file.etag}),
                }
            }
            written += _succeeded(self._client.transact_write_items, TransactItems=[still_pending, marker])
        return written

    def open_manifests(self, date_prefix: str) -> list[TrackedManifest]:
        """Manifests a crashed or failed invocation left half done: still building, or never started."""
        return [
            TrackedManifest.from_item(item)
            for item in self._query(
                date_prefix,
                MANIFEST_PREFIX,
                FilterExpression="#status IN (:building, :manifested) "
                "AND attribute_not_exists(#execution_arn)",
                ExpressionAttributeNames=_names("status", "execution_arn"),
                values={"building": BUILDING, "manifested": MANIFESTED},
            )
        ]

    def _query(
        self,
        date_prefix: str,
        prefix: str | None,
        values: dict[str, Any],
        limit: int | None = None,
        **kwargs: Any,
    ) -> Iterator[Attributes]:
        """The partition's items, those whose sort key starts with `prefix` when one is given; with `limit`,
        the first `limit` of them (DynamoDB then reads no further)."""
        condition = "#date_prefix = :date_prefix"
        names = _names("date_prefix")
        values = {**values, "date_prefix": date_prefix}
        if prefix is not None:
            condition += " AND begins_with(#file_key, :prefix)"
            names.update(_names("file_key"))
            values["prefix"] = prefix
        kwargs["ExpressionAttributeNames"] = {**kwargs.get("ExpressionAttributeNames", {}), **names}
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=_expression(values),
            ConsistentRead=True,
            PaginationConfig={"MaxItems": limit, "PageSize": limit} if limit else {},
            **kwargs,
        ):
            yield from page["Items"]

    def write_manifest(
        self,
        date_prefix: str,
        manifest: ManifestRecord,
        owner: str,
        now: datetime,
        create: bool,
    ) -> None:
        """Creates (or, after a crash, finishes) a manifest item and moves its files into it.

        Every transaction is fenced by the lock. The manifest item is created `building` in the first
        transaction and becomes `manifested` in the last, so a manifest whose writes were cut short stays
        `building` and the next lock holder finishes it. A manifest that fits one transaction is written
        `manifested` at once. File updates accept a file already in this manifest, so finishing is idempotent.
        """
        # A file and its marker may land in different transactions: until the last one the manifest stays
        # `building`, and finishing it repeats every move and marker deletion.
        file_actions = [
            action
            for file_key in manifest.file_keys
            for action in (
                self._move_action(date_prefix, manifest, file_key, now),
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": self._key(date_prefix, PENDING_PREFIX + file_key),
                    }
                },
            )
        ]
        if create and len(file_actions) < _ACTIONS_PER_TRANSACTION:
            self._fenced(
                date_prefix,
                owner,
                now,
                [self._put_manifest(date_prefix, manifest, MANIFESTED, now), *file_actions],
            )
            return
        first = [self._put_manifest(date_prefix, manifest, BUILDING, now)] if create else []
        actions = [*first, *file_actions, self._mark_manifested(date_prefix, manifest.manifest_id, now)]
        for start in range(0, len(actions), _ACTIONS_PER_TRANSACTION):
            self._fenced(date_prefix, owner, now, actions[start : start + _ACTIONS_PER_TRANSACTION])

    def _put_manifest(self, date_prefix: str, manifest: ManifestRecord, status: str, now: datetime) -> dict:
        item = {
            "date_prefix": date_prefix,
            "file_key": MANIFEST_PREFIX + manifest.manifest_id,
            "item_type": "manifest",
            "status": status,
            "manifest_id": manifest.manifest_id,
            "manifest_path": manifest.manifest_path,
            "file_count": len(manifest.file_keys),
            "total_bytes": manifest.total_bytes,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": _to_attributes(item),
                "ConditionExpression": "attribute_not_exists(file_key)",
            }
        }

    def _move_action(self, date_prefix: str, manifest: ManifestRecord, file_key: str, now: datetime) -> dict:
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(date_prefix, file_key),
                "UpdateExpression": "SET #status = :manifested, #manifest_id = :manifest_id, "
                "#manifest_path = :manifest_path, #updated_at = :now",
                "ConditionExpression": "#status = :pending OR "
                "(#status = :manifested AND #manifest_id = :manifest_id)",
                "ExpressionAttributeNames": _names("status", "manifest_id", "manifest_path", "updated_at"),
                "ExpressionAttributeValues": _expression(
                    {
                        "manifested": MANIFESTED,
                        "pending": PENDING,
                        "manifest_id": manifest.manifest_id,
                        "manifest_path": manifest.manifest_path,
                        "now": iso(now),
                    }
                ),
            }
        }

    def _mark_manifested(self, date_prefix: str, manifest_id: str, now: datetime) -> dict:
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(date_prefix, MANIFEST_PREFIX + manifest_id),
                "UpdateExpression": "SET #status = :manifested, #updated_at = :now",
                "ConditionExpression": "#status = :building",
                "ExpressionAttributeNames": _names("status", "updated_at"),
                "ExpressionAttributeValues": _expression(
                    {"manifested": MANIFESTED, "building": BUILDING, "now": iso(now)}
                ),
            }
        }

    def _update_manifest(self, date_prefix: str, manifest_id: str, **update: Any) -> None:
        """An update of a manifest item, which must exist (ConditionFailed otherwise)."""
        with _conditional():
            self._client.update_item(
                TableName=self._table,
                Key=self._key(date_prefix, MANIFEST_PREFIX + manifest_id),
                ConditionExpression="attribute_exists(file_key)",
                **update,
            )

    def record_start_failure(self, date_prefix: str, manifest_id: str, error: str, now: datetime) -> None:
        self._update_manifest(
            date_prefix,
            manifest_id,
            UpdateExpression="SET #start_failed_at = :now, #start_error = :error, #updated_at = :now",
            ExpressionAttributeNames=_names("start_failed_at", "start_error", "updated_at"),
            ExpressionAttributeValues=_expression({"error": error[:1000], "now": iso(now)}),
        )

    def record_execution(self, date_prefix: str, manifest_id: str, execution_arn: str, now: datetime) -> None:
        self._update_manifest(
            date_prefix,
            manifest_id,
            UpdateExpression="SET #execution_arn = :arn, #execution_started_at = :now, #updated_at = :now",
            ExpressionAttributeNames=_names("execution_arn", "execution_started_at", "updated_at"),
            ExpressionAttributeValues=_expression({"arn": execution_arn, "now": iso(now)}),
        )

    # Conversion outcomes (the Glue job) ------------------------------------------------------------------

    def record_file_outcome(
        self, date_prefix: str, manifest_id: str, outcome: FileOutcomeRecord, now: datetime
    ) -> bool:
        """A file's final status and row counts, if it is still in this manifest; False if it moved on (a
        readmitted file is no longer the replayed manifest's to record)."""
        sets: dict[str, Any] = {
            "status": outcome.status,
            "records_read": outcome.records_read,
            "records_written": outcome.records_written,
            "records_rejected": outcome.records_rejected,
            "outcome_at": iso(now),
            "updated_at": iso(now),
        }
        removes: list[str] = ["error"]
        if outcome.status == QUARANTINED:
            sets["quarantine_reason"] = outcome.reason
        elif outcome.status == FAILED:
            sets["error"] = outcome.reason
            removes = ["quarantine_reason"]
        else:
            removes = ["quarantine_reason", "error"]
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in sets)
        expression += " REMOVE " + ", ".join(f"#{name}" for name in removes)
        return _succeeded(
            self._client.update_item,
            TableName=self._table,
            Key=self._key(date_prefix, outcome.file_key),
            UpdateExpression=expression,
            ConditionExpression="#manifest_id = :manifest_id",
            ExpressionAttributeNames=_names(*sets, *removes, "manifest_id"),
            ExpressionAttributeValues=_expression({**sets, "manifest_id": manifest_id}),
        )

    def record_manifest_totals(
        self, date_prefix: str, manifest_id: str, totals: ManifestTotals, now: datetime
    ) -> None:
        """The manifest's row totals and its quarantined files (each `uri: reason`), which the state machine
        reads when it marks the manifest completed, to alert on them."""
        sets: dict[str, Any] = {
            "records_read": totals.records_read,
            "records_written": totals.records_written,
            "records_rejected": totals.records_rejected,
            "files_quarantined": len(totals.quarantined_files),
            "updated_at": iso(now),
        }
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in sets)
        if totals.quarantined_files:
            sets["quarantined_files"] = list(totals.quarantined_files)
            expression += ", #quarantined_files = :quarantined_files"
        else:
            expression += " REMOVE #quarantined_files"
        self._update_manifest(
            date_prefix,
            manifest_id,
            UpdateExpression=expression,
            ExpressionAttributeNames=_names(*sets, "quarantined_files"),
            ExpressionAttributeValues=_expression(sets),
        )

    # Reconciliation -------------------------------------------------------------------------------------

    def known_files(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (date_prefix, file URI) keys have an item (BatchGetItem, 100 keys a request)."""
        keys = list(dict.fromkeys(keys))
        found: set[tuple[str, str]] = set()
        for start in range(0, len(keys), _BATCH_GET_LIMIT):
            request = {
                self._table: {
                    "Keys": [self._key(d, f) for d, f in keys[start : start + _BATCH_GET_LIMIT]],
                    "ProjectionExpression": "#date_prefix, #file_key",
                    "ExpressionAttributeNames": _names("date_prefix", "file_key"),
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    found.add((item["date_prefix"]["S"], item["file_key"]["S"]))
                request = response.get("UnprocessedKeys") or {}
        return found

    def reconciliation_cursor(self) -> ReconciliationCursor:
        return (
            self._get(RECONCILIATION_PARTITION, RECONCILIATION_CURSOR, ReconciliationCursor)
            or ReconciliationCursor()
        )

    def save_reconciliation_cursor(
        self, token: str | None, listed: int, registered: int, pass_started_at: str, now: datetime
    ) -> None:
        """Where the next run resumes; None: the pass is complete, the next one starts over."""
        values = {
            "item_type": "reconciliation",
            "pass_listed": listed,
            "pass_registered": registered,
            "pass_started_at": pass_started_at,
            "updated_at": iso(now),
        }
        if token is None:
            values.update(
                last_pass_completed_at=iso(now), pass_listed=0, pass_registered=0, pass_started_at=""
            )
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
        expression += ", #token = :token" if token is not None else " REMOVE #token"
        attribute_values = {**values, **({"token": token} if token is not None else {})}
        self._client.update_item(
            TableName=self._table,
            Key=self._key(RECONCILIATION_PARTITION, RECONCILIATION_CURSOR),
            UpdateExpression=expression,
            ExpressionAttributeNames=_names(*values, "token"),
            ExpressionAttributeValues=_expression(attribute_values),
        )

    # Operator reads and repairs (platform-ops intake) ---------------------------------------------------

    def readmit(self, date_prefix: str, file_key: str, current: ObjectCreated, now: datetime) -> TrackedFile:
        """A file the job quarantined (`bad_content`) becomes pending again, as its object is now (size,
        ETag, version: it may have been fixed in place), so the next flush of its date puts it into a new
        manifest; the manifests it was in are kept in `previous_manifest_ids`. Returns the item as it was;
        raises NotReadmittable when it is not such a file (or changed meanwhile).
        """
        item = self.file(date_prefix, file_key)
        if not is_readmittable(item):
            raise NotReadmittable(file_key, item)
        # Counted before the item is pending, as an arrival is: the counters never undercount.
        self.count_arrival(date_prefix, current.size_bytes, now)
        names = (
            "status", "size_bytes", "etag", "version_id", "readmitted_at", "updated_at",
            "previous_manifest_ids", "manifest_id", "manifest_path", "quarantine_reason", "quarantine_path",
            "records_read", "records_written", "records_rejected", "outcome_at",
        )  # fmt: skip
        update = dict(
            TableName=self._table,
            Key=self._key(date_prefix, file_key),
            UpdateExpression="SET #status = :pending, #size_bytes = :size, #etag = :etag, "
            "#version_id = :version_id, #readmitted_at = :now, #updated_at = :now, "
            "#previous_manifest_ids = "
            "list_append(if_not_exists(#previous_manifest_ids, :none), :manifest) "
            "REMOVE #manifest_id, #manifest_path, #quarantine_reason, #quarantine_path, "
            "#records_read, #records_written, #records_rejected, #outcome_at",
            ConditionExpression="#status = :quarantined AND #manifest_id = :manifest_id "
            "AND #updated_at = :seen",
            ExpressionAttributeNames=_names(*names),
            ExpressionAttributeValues=_expression(
                {
                    "pending": PENDING,
                    "quarantined": QUARANTINED,
                    "size": current.size_bytes,
                    "etag": current.etag,
                    "version_id": current.version_id,
                    "now": iso(now),
                    "none": [],
                    "manifest": [item.manifest_id],
                    "manifest_id": item.manifest_id,
                    "seen": item.updated_at,
                }
            ),
        )
        marker = self._put_marker(
            date_prefix, file_key, current.size_bytes, item.created_at, current.etag, current.version_id
        )
        written = _succeeded(self._client.transact_write_items, TransactItems=[{"Update": update}, marker])
        if not written:
            self.adjust_counters(date_prefix, files=-1, size_bytes=-current.size_bytes)
            raise NotReadmittable(file_key, self.file(date_prefix, file_key))
        return item

    def items(self, date_prefix: str | None = None) -> Iterator[TrackingRecord]:
        """Every item of one date (a query), or of the whole table (a scan: an occasional operator read), as
        the record of its kind."""
        found = self._query(date_prefix, None, values={}) if date_prefix else self._scan()
        for item in found:
            yield _record(item)

    def file_items(self, uri: str, date_prefix: str | None) -> list[TrackedFile]:
        """The items of file `uri` (its key and later versions kept as `<uri>#<etag>`), oldest first.

        Without a date the whole table is scanned, for a file partitioned under its arrival date.
        """
        condition = "#file_key = :uri OR begins_with(#file_key, :versions)"
        values = {"uri": uri, "versions": f"{uri}#"}
        if date_prefix:
            found = self._query(date_prefix, FILE_PREFIX, values=values, FilterExpression=condition)
        else:
            found = self._scan(
                FilterExpression=condition,
                ExpressionAttributeNames=_names("file_key"),
                ExpressionAttributeValues=_expression(values),
            )
        return sorted(map(TrackedFile.from_item, found), key=lambda item: item.created_at)

    def _scan(self, **kwargs: Any) -> Iterator[Attributes]:
        for page in self._client.get_paginator("scan").paginate(
            TableName=self._table, ConsistentRead=True, **kwargs
        ):
            yield from page["Items"]

    def manifest(self, date_prefix: str, manifest_id: str) -> TrackedManifest | None:
        return self._get(date_prefix, MANIFEST_PREFIX + manifest_id, TrackedManifest)

    def record_replay(
        self, date_prefix: str, manifest_id: str, previous_status: str, execution_arn: str, now: datetime
    ) -> None:
        """Notes a replay on the manifest and, unless its new execution moved it on, clears the failure.

        The new execution can mark the manifest processing before this write: its status then stays.
        """
        replay = {"at": iso(now), "previous_status": previous_status, "execution_arn": execution_arn}
        noted = (
            "SET #replays = list_append(if_not_exists(#replays, :none), :replay), #execution_arn = :arn, "
            "#execution_started_at = :now, #updated_at = :now"
        )
        names = ("replays", "execution_arn", "execution_started_at", "updated_at")
        values = {"none": [], "replay": [replay], "arn": execution_arn, "now": iso(now)}
        key = self._key(date_prefix, MANIFEST_PREFIX + manifest_id)
        cleared = _succeeded(
            self._client.update_item,
            TableName=self._table,
            Key=key,
            UpdateExpression=noted + ", #status = :manifested REMOVE #error, #error_cause, #failed_at",
            ConditionExpression="#status = :failed",
            ExpressionAttributeNames=_names(*names, "status", "error", "error_cause", "failed_at"),
            ExpressionAttributeValues=_expression({**values, "manifested": MANIFESTED, "failed": FAILED}),
        )
        if not cleared:
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=noted,
                ExpressionAttributeNames=_names(*names),
                ExpressionAttributeValues=_expression(values),
            )

    def fail_if_unchanged(
        self,
        date_prefix: str,
        manifest_id: str,
        status: str,
        updated_at: str,
        error: str,
        cause: str,
        now: datetime,
    ) -> bool:
        """Marks the manifest failed if it still has the status and updated_at read; False if it moved on."""
        return _succeeded(
            self._client.update_item,
            TableName=self._table,
            Key=self._key(date_prefix, MANIFEST_PREFIX + manifest_id),
            UpdateExpression="SET #status = :failed, #error = :error, #error_cause = :cause, "
            "#failed_at = :now, #updated_at = :now",
            ConditionExpression="#status = :status AND #updated_at = :updated_at",
            ExpressionAttributeNames=_names("status", "error", "error_cause", "failed_at", "updated_at"),
            ExpressionAttributeValues=_expression(
                {
                    "failed": FAILED,
                    "error": error,
                    "cause": cause,
                    "now": iso(now),
                    "status": status,
                    "updated_at": updated_at,
                }
            ),
        )
