"""The S3 calls: the bucket's versioning, the current version of a key, the write, and `source` reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from .request import InvalidRequest

_CLIENT_CONFIG = BotoConfig(retries={"mode": "standard", "max_attempts": 5})
_MISSING = {"404", "NoSuchKey", "NoSuchBucket"}


def s3_client(session: boto3.session.Session | None = None) -> Any:
    return (session or boto3.session.Session()).client("s3", config=_CLIENT_CONFIG)


@dataclass(frozen=True)
class Current:
    """The version a key holds now, and its ETag for the conditional write that replaces it."""

    version_id: str | None
    etag: str


class ConfigStore:
    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def require_versioning(self, bucket: str) -> None:
        """Without versioning a write replaces the previous config for good: refused before anything."""
        try:
            status = self._s3.get_bucket_versioning(Bucket=bucket).get("Status")
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchBucket":
                raise InvalidRequest(f"config bucket {bucket!r} does not exist") from None
            raise
        if status != "Enabled":
            raise InvalidRequest(
                f"config bucket {bucket!r} must have versioning Enabled (it is {status or 'never enabled'}): "
                "a config upload must leave the previous version recoverable"
            )

    def current(self, bucket: str, key: str) -> Current | None:
        try:
            head = self._s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in _MISSING:
                return None
            raise
        return Current(head.get("VersionId"), head["ETag"])

    def put_json(self, bucket: str, key: str, document: Any, replacing: Current | None) -> str:
        """Writes only over `replacing` (None: only where nothing is yet), so that a write by someone else
        in between is never silently buried under this one, and `replacing` is truly the previous version."""
        condition = {"IfMatch": replacing.etag} if replacing else {"IfNoneMatch": "*"}
        try:
            response = self._s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=(json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                ContentType="application/json",
                **condition,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in {"PreconditionFailed", "ConditionalRequestConflict"}:
                raise InvalidRequest(
                    f"s3://{bucket}/{key} changed while this upload ran: nothing was written; "
                    "look at the new version, then upload again"
                ) from None
            raise
        return response["VersionId"]

    def read_json(self, uri: str) -> Any:
        bucket, key = uri[len("s3://") :].split("/", 1)
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in _MISSING:
                raise InvalidRequest(f"source {uri} does not exist") from None
            raise
        try:
            return json.loads(body)
        except ValueError as error:
            raise InvalidRequest(f"source {uri} is not JSON: {error}") from None
