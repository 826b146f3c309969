"""The decisions table: one item per landed object, every read and write of it, and its statuses.

Partition key `file` (`s3://bucket/key`), sort key `version` (the object's version id, or its ETag and
sequencer in an unversioned bucket), so that every upload of a key has its own decision and `… router file`
reads a key's history with one Query.

Statuses: the router's decision (not_configured, inactive, held, triggered), then, for triggered files,
the routing state machine's outcome as it settles the file (archived, failed). A held or failed decision is
replayed by the operator CLI: held becomes triggered as its execution starts; failed becomes replayed as the
file goes back under the input prefix, where it lands as a new object with a decision of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .events import LandedObject

NOT_CONFIGURED = "not_configured"
INACTIVE = "inactive"
HELD = "held"
TRIGGERED = "triggered"
ARCHIVED = "archived"
FAILED = "failed"
REPLAYED = "replayed"
STATUSES = (NOT_CONFIGURED, INACTIVE, HELD, TRIGGERED, ARCHIVED, FAILED, REPLAYED)

# What the handler answers besides a status above, for an object it does not route again.
ALREADY_RUNNING = "already_running"
ALREADY_PROCESSED = "already_processed"
IGNORED = "ignored"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments of the keys this module relies on (tests, benchmark); Terraform makes these."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": "file", "KeyType": "HASH"},
            {"AttributeName": "version", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "file", "AttributeType": "S"},
            {"AttributeName": "version", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


@dataclass(frozen=True)
class Decision:
    file: str
    version: str
    status: str
    object: dict[str, Any]
    config_etag: str
    decided_at: str
    jobs: list[str] = field(default_factory=list)
    execution: str = ""
    # The execution input as the router built it: a held decision is replayed with exactly this.
    execution_input: str = ""
    moved_to: str = ""
    settled_at: str = ""
    error: str = ""
    replayed_at: str = ""

    @property
    def landed(self) -> LandedObject:
        return LandedObject.from_dict(self.object)

    def as_dict(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value not in ("", [])}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Decision:
        plain = {name: _deserializer.deserialize(value) for name, value in item.items()}
        plain["object"] = {k: int(v) if k == "size" else v for k, v in plain["object"].items()}
        known = set(cls.__dataclass_fields__)
        return cls(**{name: value for name, value in plain.items() if name in known})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class DecisionTable:
    """Reads and writes of the decisions table; with no table name, decisions are only logged."""

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    @property
    def enabled(self) -> bool:
        return bool(self._table)

    def get(self, obj: LandedObject) -> Decision | None:
        if not self._table:
            return None
        item = self._dynamodb.get_item(
            TableName=self._table, Key=_key(obj.uri, obj.version), ConsistentRead=True
        ).get("Item")
        return Decision.from_item(item) if item else None

    def record(self, decision: Decision) -> None:
        if not self._table:
            return
        item = {name: _serializer.serialize(value) for name, value in decision.as_dict().items()}
        self._dynamodb.put_item(TableName=self._table, Item=item)

    def settle(self, obj: LandedObject, status: str, moved_to: str, error: str = "") -> bool:
        """A triggered decision becomes archived or failed; False when there was no triggered decision."""
        if not self._table:
            return False
        values = {
            ":status": status,
            ":moved_to": moved_to,
            ":at": now_iso(),
            ":error": error,
            ":triggered": TRIGGERED,
        }
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(obj.uri, obj.version),
                UpdateExpression=(
                    "SET #status = :status, moved_to = :moved_to, settled_at = :at, #error = :error"
                ),
                ConditionExpression="#status IN (:triggered, :status)",
                ExpressionAttributeNames={"#status": "status", "#error": "error"},
                ExpressionAttributeValues={
                    name: _serializer.serialize(value) for name, value in values.items()
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_triggered(self, decision: Decision) -> None:
        """A held decision replayed: its execution started."""
        self.record(Decision(**{**vars(decision), "status": TRIGGERED, "replayed_at": now_iso()}))

    def mark_replayed(self, decision: Decision) -> None:
        """A failed decision replayed: its file is back under the input prefix."""
        self.record(Decision(**{**vars(decision), "status": REPLAYED, "replayed_at": now_iso()}))

    def history(self, uri: str) -> list[Decision]:
        """Every decision about one key, oldest upload first by decision time."""
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="#file = :file",
            ExpressionAttributeNames={"#file": "file"},
            ExpressionAttributeValues={":file": {"S": uri}},
        )
        decisions = [Decision.from_item(item) for page in pages for item in page["Items"]]
        return sorted(decisions, key=lambda decision: decision.decided_at)

    def all(self, status: str | None = None) -> Iterator[Decision]:
        """Every decision (a Scan: the table holds one small item per landed file), or those of `status`."""
        arguments: dict[str, Any] = {"TableName": self._table}
        if status:
            arguments |= {
                "FilterExpression": "#status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":status": {"S": status}},
            }
        for page in self._dynamodb.get_paginator("scan").paginate(**arguments):
            for item in page["Items"]:
                yield Decision.from_item(item)


def _key(uri: str, version: str) -> dict[str, Any]:
    return {"file": {"S": uri}, "version": {"S": version}}
