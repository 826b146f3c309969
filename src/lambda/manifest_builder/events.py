"""Turns Lambda events into plain values: S3 object notifications per SQS message, or a sweep request.

S3 event notifications (``Records[].s3``) carry URL-encoded object keys ("red flower.ndjson" arrives as
"red+flower.ndjson"), so they are decoded with ``unquote_plus``. S3 events routed through EventBridge carry
the key as stored (a ':' stays a ':'), so those keys are taken as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


class EventFormatError(ValueError):
    """A message body is not a notification this function understands."""


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str
    size_bytes: int
    etag: str
    # Empty when the bucket is not versioned.
    version_id: str = ""

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    objects: tuple[ObjectCreated, ...]


def is_scheduled_sweep(event: dict[str, Any]) -> bool:
    """An EventBridge schedule invokes the function directly (not through SQS) to flush past dates."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def parse_sqs_record(record: dict[str, Any]) -> QueueMessage:
    """One SQS record; a body S3 sends to test a notification configuration yields no objects."""
    message_id = record.get("messageId", "")
    try:
        body = json.loads(record["body"])
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise EventFormatError(f"message {message_id}: body is not JSON ({error})") from None
    if not isinstance(body, dict):
        raise EventFormatError(f"message {message_id}: body is not a JSON object")
    if body.get("Event") == "s3:TestEvent":
        return QueueMessage(message_id, ())
    if "Records" in body:
        return QueueMessage(message_id, tuple(_from_notification(message_id, body["Records"])))
    if body.get("source") == "aws.s3":
        return QueueMessage(message_id, tuple(_from_eventbridge(message_id, body)))
    raise EventFormatError(f"message {message_id}: neither an S3 notification nor an S3 EventBridge event")


def _from_notification(message_id: str, records: Any) -> list[ObjectCreated]:
    if not isinstance(records, list):
        raise EventFormatError(f"message {message_id}: 'Records' is not a list")
    objects = []
    for record in records:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        try:
            s3 = record["s3"]
            obj = s3["object"]
            objects.append(
                ObjectCreated(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(obj["key"]),
                    size_bytes=int(obj.get("size", 0)),
                    etag=str(obj.get("eTag", "")),
                    version_id=str(obj.get("versionId") or ""),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise EventFormatError(f"message {message_id}: S3 record lacks {error}") from None
    return objects


def _from_eventbridge(message_id: str, body: dict[str, Any]) -> list[ObjectCreated]:
    if body.get("detail-type") != "Object Created":
        return []
    try:
        detail = body["detail"]
        obj = detail["object"]
        return [
            ObjectCreated(
                bucket=detail["bucket"]["name"],
                key=obj["key"],
                size_bytes=int(obj.get("size", 0)),
                etag=str(obj.get("etag", "")),
                version_id=str(obj.get("version-id") or ""),
            )
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise EventFormatError(f"message {message_id}: EventBridge detail lacks {error}") from None
