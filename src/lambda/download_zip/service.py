"""One run: list the prefix, choose the members, stream them into the archive, add MANIFEST.json."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from .archive import ZipArchive
from .aws import list_objects
from .config import Settings
from .manifest import Entry, manifest_chunks
from .multipart import MultipartUpload, part_size_for
from .readahead import ReadAhead
from .request import InvalidRequest, ZipRequest
from .selection import MANIFEST_NAME, VANISHED, Selection, Skipped, select

# Local header, data descriptor and central directory entry of one member, ZIP64 extras included, plus its
# name: what the archive adds per member beyond the bytes, for sizing parts.
_MEMBER_OVERHEAD = 200


class OutOfTime(RuntimeError):
    """The run would not finish before its deadline (Lambda's timeout): it stopped and aborted the upload."""


def zip_prefix(
    s3: Any, request: ZipRequest, settings: Settings, deadline: float | None = None
) -> dict[str, Any]:
    """Zips the prefix; `deadline` (a time.monotonic() value) stops it with OutOfTime, the upload aborted,
    rather than letting Lambda kill it mid-way, which would leave the parts behind."""
    selection = select(request, list_objects(s3, request.source_bucket, request.source_prefix))
    if not selection.members:
        return _result(request, [], selection.skipped, bytes_out=0)
    upload = _start_upload(s3, request, selection, settings)
    try:
        entries, skipped = _write_archive(s3, request, selection, settings, upload, deadline)
        if entries:
            upload.complete()
    except BaseException:
        upload.abort()
        raise
    if not entries:
        upload.abort()  # every member vanished: as for an empty prefix, nothing is written
    return _result(request, entries, skipped, bytes_out=upload.bytes_written if entries else 0)


def _start_upload(s3: Any, request: ZipRequest, selection: Selection, settings: Settings) -> MultipartUpload:
    expected = selection.bytes_in + _MEMBER_OVERHEAD * len(selection.members)
    part_size = part_size_for(expected, settings.part_size)
    try:
        return MultipartUpload(s3, request.destination_bucket, request.destination_key, part_size)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchBucket":
            raise InvalidRequest(
                f"destination_bucket {request.destination_bucket!r} does not exist"
            ) from None
        raise


def _write_archive(
    s3: Any,
    request: ZipRequest,
    selection: Selection,
    settings: Settings,
    upload: MultipartUpload,
    deadline: float | None,
) -> tuple[list[Entry], list[Skipped]]:
    archive = ZipArchive(upload, settings.compression_level)
    try:
        entries, skipped = _add_members(s3, request, selection, archive, deadline)
        if entries:
            _add_manifest(request, entries, skipped, archive)
        archive.close()
    except BaseException:
        archive.discard()
        raise
    return entries, skipped


def _add_members(
    s3: Any, request: ZipRequest, selection: Selection, archive: ZipArchive, deadline: float | None
) -> tuple[list[Entry], list[Skipped]]:
    entries: list[Entry] = []
    skipped = list(selection.skipped)
    reader = ReadAhead(s3, request.source_bucket, selection.members)
    try:
        for member, source, chunks in reader.objects():
            if source is None:
                skipped.append(Skipped(member.source.key, VANISHED))
                continue
            if deadline is not None:
                chunks = _until(deadline, chunks, len(entries), len(selection.members))
            crc = archive.add(member.name, source.size, source.last_modified, chunks)
            entries.append(Entry(member.name, member.source.key, source.size, source.etag, crc))
    finally:
        reader.close()
    return entries, skipped


def _until(deadline: float, chunks: Iterator[bytes], done: int, total: int) -> Iterator[bytes]:
    for chunk in chunks:
        if time.monotonic() > deadline:
            raise OutOfTime(
                f"stopped before the deadline with {done} of {total} objects archived: the prefix is too big "
                "for one invocation; zip it with the CLI (download_zip/README.md)"
            )
        yield chunk


def _add_manifest(
    request: ZipRequest, entries: list[Entry], skipped: list[Skipped], archive: ZipArchive
) -> None:
    now = datetime.now(UTC)
    args = (request.source_uri, now.isoformat(timespec="seconds"), entries, skipped)
    # Generated twice, the first time only to measure it: zipfile wants the size before the bytes.
    size = sum(len(chunk) for chunk in manifest_chunks(*args))
    archive.add(MANIFEST_NAME, size, now, manifest_chunks(*args))


def _result(
    request: ZipRequest, entries: list[Entry], skipped: list[Skipped], bytes_out: int
) -> dict[str, Any]:
    return {
        "destination": request.destination_uri,
        "files": len(entries),
        "skipped": len(skipped),
        "bytes_in": sum(entry.size for entry in entries),
        "bytes_out": bytes_out,
        "vanished": [s.key for s in skipped if s.reason == VANISHED],
    }
