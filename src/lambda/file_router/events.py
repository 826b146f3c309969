"""The two kinds of invocation: EventBridge's S3 "Object Created" events, and the routing state machine's
requests to settle a routed file once its loads ended (archive it, or set it aside as failed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class InvalidEvent(ValueError):
    """The event is not one the router reads; the message names the missing or malformed field."""


@dataclass(frozen=True)
class LandedObject:
    """One S3 object version, as EventBridge announced it."""

    bucket: str
    key: str
    size: int
    etag: str
    sequencer: str
    version_id: str = ""

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def file_name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def version(self) -> str:
        """What tells this upload of the key from another: its version id, else its ETag and sequencer."""
        return self.version_id or f"{self.etag}:{self.sequencer}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "size": self.size,
            "etag": self.etag,
            "sequencer": self.sequencer,
            "version_id": self.version_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LandedObject:
        return cls(
            bucket=_text(data, "bucket"),
            key=_text(data, "key"),
            size=_size(data.get("size")),
            etag=_text(data, "etag"),
            sequencer=str(data.get("sequencer") or ""),
            version_id=str(data.get("version_id") or ""),
        )


@dataclass(frozen=True)
class LoadResult:
    job_id: str
    failed: bool
    error: str = ""
    cause: str = ""


@dataclass(frozen=True)
class Settle:
    """The state machine's request once every load of a routed file ended: where the file goes next."""

    object: LandedObject
    archive_key: str
    failed_key: str
    results: tuple[LoadResult, ...]

    @property
    def failures(self) -> list[LoadResult]:
        return [result for result in self.results if result.failed]


def is_settle_request(event: Mapping[str, Any]) -> bool:
    return "settle" in event


def parse_object_created(event: Mapping[str, Any]) -> LandedObject:
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise InvalidEvent("not an EventBridge S3 event: no detail")
    bucket, obj = detail.get("bucket"), detail.get("object")
    if not isinstance(bucket, Mapping) or not isinstance(obj, Mapping):
        raise InvalidEvent("not an EventBridge S3 event: detail.bucket and detail.object are required")
    return LandedObject(
        bucket=_text(bucket, "name", "detail.bucket.name"),
        key=_text(obj, "key", "detail.object.key"),
        size=_size(obj.get("size")),
        etag=str(obj.get("etag") or "").strip('"'),
        sequencer=str(obj.get("sequencer") or ""),
        version_id=str(obj.get("version-id") or ""),
    )


def parse_settle(event: Mapping[str, Any]) -> Settle:
    """`{"settle": {"file": <the execution input's file>, "results": [{job_id, failed, error?, cause?}]}}`."""
    request = event["settle"]
    if not isinstance(request, Mapping) or not isinstance(request.get("file"), Mapping):
        raise InvalidEvent("settle.file is required")
    results = request.get("results")
    if not isinstance(results, list) or not all(isinstance(result, Mapping) for result in results):
        raise InvalidEvent("settle.results must be a list of load results")
    file = request["file"]
    return Settle(
        object=LandedObject.from_dict(file),
        archive_key=_text(file, "archive_key", "settle.file.archive_key"),
        failed_key=_text(file, "failed_key", "settle.file.failed_key"),
        results=tuple(
            LoadResult(
                job_id=str(result.get("job_id", "")),
                failed=bool(result.get("failed")),
                error=str(result.get("error") or ""),
                cause=str(result.get("cause") or ""),
            )
            for result in results
        ),
    )


def _text(data: Mapping[str, Any], field: str, name: str | None = None) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidEvent(f"{name or field} must be a non-empty string: {value!r}")
    return value


def _size(value: Any) -> int:
    if value is None:
        return -1  # EventBridge always sends it; -1 lets the move read it from S3 instead
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidEvent(f"detail.object.size must be a non-negative integer: {value!r}")
    return value
