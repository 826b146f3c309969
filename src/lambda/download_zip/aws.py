"""S3 reads of the source: the listing and each object's body in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from .request import InvalidRequest
from .selection import SourceObject

CHUNK_SIZE = 1024**2

# Standard retries back off on throttling; the pool covers every concurrent request: the streamed GET,
# the prefetched ones (readahead.PREFETCHED) and the part uploads (multipart.PARTS_IN_FLIGHT).
_CLIENT_CONFIG = BotoConfig(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=8)


def s3_client(session: boto3.session.Session | None = None) -> Any:
    return (session or boto3.session.Session()).client("s3", config=_CLIENT_CONFIG)


def list_objects(s3: Any, bucket: str, prefix: str) -> Iterator[SourceObject]:
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield SourceObject(item["Key"], item["Size"], item["ETag"].strip('"'), item["LastModified"])
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchBucket":
            raise InvalidRequest(f"source_bucket {bucket!r} does not exist") from None
        raise


@dataclass(frozen=True)
class ObjectBody:
    """One GET of an object: what was read (it may differ from the listing) and its bytes in chunks."""

    source: SourceObject
    chunks: Iterator[bytes]


def open_object(s3: Any, bucket: str, key: str) -> ObjectBody | None:
    """The object's body, or None when it no longer exists.

    One GET per object rather than ranged GETs: S3 serves the version it started with to the end, so an
    object overwritten or deleted while it is read still arrives whole and consistent.
    """
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            return None
        raise
    source = SourceObject(
        key, response["ContentLength"], response["ETag"].strip('"'), response["LastModified"]
    )
    return ObjectBody(source, response["Body"].iter_chunks(CHUNK_SIZE))
