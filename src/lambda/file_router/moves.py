"""A safe move within S3: copy, verify the copy, then delete the original; a retry finishes a partial move.

S3 has no move. Our users' router copied then deleted, unverified, and a failure in between left two
copies, or none. Here the copy is verified first (same size, and the same ETag, or the same full-object
checksum where S3 gives both sides one: an SSE-KMS object's ETag is no digest of its data), and only
then is the original's version deleted. A retry after any step finds what was done and finishes the rest.

A source uploaded in parts (its ETag ends in `-N`) is copied part by part with its own part size, so that
the copy's ETag is the source's; every object above CopyObject's 5 GiB limit is one (a single PUT is
limited to 5 GiB too).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

_MISSING = {"404", "NoSuchKey", "NoSuchVersion"}
_CHECKSUMS = ("ChecksumCRC64NVME", "ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256")


class MoveFailed(RuntimeError):
    """The move cannot be completed safely; the original (if any) is kept. The message says why."""


@dataclass(frozen=True)
class Head:
    size: int
    etag: str
    checksums: dict[str, str]
    parts: int
    content_type: str
    metadata: dict[str, str]

    @classmethod
    def of(cls, response: dict[str, Any]) -> Head:
        full_object = response.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT"
        etag = response["ETag"].strip('"')
        # A multipart upload's ETag ends in -<number of parts>, whatever the encryption.
        _, dash, count = etag.rpartition("-")
        return cls(
            size=response["ContentLength"],
            etag=etag,
            checksums={name: response[name] for name in _CHECKSUMS if name in response and full_object},
            parts=int(count) if dash and count.isdigit() else 1,
            content_type=response.get("ContentType", "binary/octet-stream"),
            metadata=response.get("Metadata", {}),
        )

    def same_data_as(self, other: Head) -> bool:
        if self.size != other.size:
            return False
        shared = set(self.checksums) & set(other.checksums)
        if shared:
            return all(self.checksums[name] == other.checksums[name] for name in shared)
        return self.etag == other.etag


@dataclass(frozen=True)
class Moved:
    destination_key: str
    copied: bool  # False: an earlier attempt had copied it already


def move(s3: Any, bucket: str, key: str, destination_key: str, version_id: str = "", etag: str = "") -> Moved:
    """Moves `key` (at `version_id`, when given) to `destination_key` in the same bucket.

    `etag`, when given, is the upload to move: in an unversioned bucket the key may hold a newer upload by
    now, which is refused (it has a decision of its own) rather than moved in the older one's place.
    """
    version = {"VersionId": version_id} if version_id else {}
    source = _head(s3, bucket, key, **version)
    if source is not None and etag and not version_id and source.etag != etag:
        raise MoveFailed(
            f"s3://{bucket}/{key} holds another upload now (ETag {source.etag}, not {etag}): it is left "
            "where it is, for its own decision"
        )
    destination = _head(s3, bucket, destination_key)
    if source is None:
        if destination is None:
            raise MoveFailed(
                f"s3://{bucket}/{key} is gone and s3://{bucket}/{destination_key} does not exist"
            )
        # An earlier attempt copied and deleted; nothing left to do but report it.
        logger.info(
            "move already done",
            extra={"event": "move_already_done", "file_key": key, "destination_key": destination_key},
        )
        return Moved(destination_key, copied=False)
    copied = destination is None or not destination.same_data_as(source)
    if copied:
        _copy(s3, bucket, key, version, destination_key, source)
        destination = _head(s3, bucket, destination_key)
        if destination is None or not destination.same_data_as(source):
            raise MoveFailed(
                f"the copy s3://{bucket}/{destination_key} does not match s3://{bucket}/{key} "
                f"(size {source.size}, ETag {source.etag}): the original is kept"
            )
    s3.delete_object(Bucket=bucket, Key=key, **version)
    return Moved(destination_key, copied)


def _head(s3: Any, bucket: str, key: str, **arguments: Any) -> Head | None:
    try:
        return Head.of(s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED", **arguments))
    except ClientError as error:
        if error.response["Error"]["Code"] in _MISSING:
            return None
        raise


def _copy(
    s3: Any, bucket: str, key: str, version: dict[str, str], destination_key: str, source: Head
) -> None:
    copy_source = {"Bucket": bucket, "Key": key, **version}
    if source.parts == 1:
        s3.copy_object(Bucket=bucket, Key=destination_key, CopySource=copy_source)
        return
    # The source's own part size (its first part's): the copy's ETag is then the source's.
    part_size = s3.head_object(Bucket=bucket, Key=key, PartNumber=1, **version)["ContentLength"]
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key=destination_key, ContentType=source.content_type, Metadata=source.metadata
    )
    upload_id = upload["UploadId"]
    try:
        parts = []
        for number, start in enumerate(range(0, source.size, part_size), start=1):
            end = min(start + part_size, source.size) - 1
            result = s3.upload_part_copy(
                Bucket=bucket,
                Key=destination_key,
                UploadId=upload_id,
                PartNumber=number,
                CopySource=copy_source,
                CopySourceRange=f"bytes={start}-{end}",
            )
            parts.append({"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]})
        s3.complete_multipart_upload(
            Bucket=bucket, Key=destination_key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        s3.abort_multipart_upload(Bucket=bucket, Key=destination_key, UploadId=upload_id)
        raise
