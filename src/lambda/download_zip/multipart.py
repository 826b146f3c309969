"""A write-only file object whose bytes become one S3 object through a multipart upload.

Bytes are cut into parts of a fixed size as they arrive; a part uploads on a worker thread while the next
one fills, with at most `PARTS_IN_FLIGHT` parts held at once, so memory stays at a few parts whatever the
archive's size. The object exists only after `complete()`; `abort()` removes every uploaded part.
"""

from __future__ import annotations

import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MIB = 1024**2
MIN_PART_SIZE = 5 * MIB
MAX_PARTS = 10_000
# One part filling while two upload overlaps compression with the network without growing the buffer much.
PARTS_IN_FLIGHT = 2
# Parts are sized for this many so that an archive larger than expected still fits under MAX_PARTS.
_PLANNED_PARTS = 9_000


def part_size_for(expected_bytes: int, configured: int) -> int:
    """The configured part size, raised (to whole MiB) when the archive would otherwise need too many."""
    needed = math.ceil(expected_bytes / _PLANNED_PARTS / MIB) * MIB
    return max(configured, needed, MIN_PART_SIZE)


class MultipartUpload:
    def __init__(self, s3: Any, bucket: str, key: str, part_size: int) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._uploading: deque[Future[dict[str, Any]]] = deque()
        self._part_count = 0
        self._executor = ThreadPoolExecutor(max_workers=PARTS_IN_FLIGHT, thread_name_prefix="upload-part")
        self.bytes_written = 0
        self.upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/zip")[
            "UploadId"
        ]

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.bytes_written += len(data)
        while len(self._buffer) >= self._part_size:
            with memoryview(self._buffer) as view:  # one copy of the part, not a slice and then its bytes
                part = view[: self._part_size].tobytes()
            del self._buffer[: self._part_size]
            self._send(part)
        return len(data)

    def flush(self) -> None:
        """Parts go out when full; the last one in `complete()`."""

    def complete(self) -> str:
        """Uploads the last part and assembles the object; returns its version id (None if unversioned)."""
        if self._buffer or not self._part_count:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        while self._uploading:
            self._parts.append(self._uploading.popleft().result())
        self._executor.shutdown()
        response = self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        return response.get("VersionId")

    def abort(self) -> None:
        # Parts still uploading would outlive an abort issued now and be stored (and billed) as orphans.
        self._executor.shutdown(cancel_futures=True)
        self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self.upload_id)

    def _send(self, body: bytes) -> None:
        if self._part_count == MAX_PARTS:
            raise RuntimeError(f"the archive needs more than {MAX_PARTS} parts of {self._part_size} bytes")
        # Waiting on the oldest part bounds memory; collecting finished ones surfaces a failure early.
        while self._uploading and (len(self._uploading) >= PARTS_IN_FLIGHT or self._uploading[0].done()):
            self._parts.append(self._uploading.popleft().result())
        self._part_count += 1
        self._uploading.append(self._executor.submit(self._upload_part, self._part_count, body))

    def _upload_part(self, number: int, body: bytes) -> dict[str, Any]:
        response = self._s3.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        return {"PartNumber": number, "ETag": response["ETag"]}
