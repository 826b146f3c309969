"""The ZIP format, written forward only: members stream in, nothing is seeked back.

The standard library's `zipfile` does this over a non-seekable file: each member's sizes and CRC-32 follow
its data in a data descriptor, ZIP64 records are written for a member declared over 4 GiB, an offset past
4 GiB or more than 65,535 members, and names outside ASCII get the UTF-8 flag. README.md says why it was
chosen over zipstream-ng and stream-zip.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO

# ZIP timestamps start in 1980; an older Last-Modified (only possible from a hand-set clock) is clamped.
_EPOCH = (1980, 1, 1, 0, 0, 0)


class ZipArchive:
    def __init__(self, sink: BinaryIO, compression_level: int) -> None:
        """compression_level 0 stores members as they are; 1-9 deflates them at that zlib level."""
        self._compression = zipfile.ZIP_DEFLATED if compression_level else zipfile.ZIP_STORED
        self._zip = zipfile.ZipFile(
            sink, "w", compression=self._compression, compresslevel=compression_level or None
        )

    def add(self, name: str, size: int, modified: datetime, chunks: Iterable[bytes]) -> int:
        """Writes one member of `size` bytes (as known beforehand) from `chunks`; returns its CRC-32."""
        info = zipfile.ZipInfo(name, date_time=max(_EPOCH, modified.timetuple()[:6]))
        info.compress_type = self._compression
        info.external_attr = 0o644 << 16
        # Declared before the bytes so that zipfile chooses ZIP64 headers up front for a member over 4 GiB
        # (forward only, it cannot rewrite them); it records the size actually written.
        info.file_size = size
        with self._zip.open(info, "w") as member:
            for chunk in chunks:
                member.write(chunk)
        return info.CRC

    def close(self) -> None:
        """Writes the central directory (and the ZIP64 end records when needed)."""
        self._zip.close()

    def discard(self) -> None:
        """Drops a failed archive. zipfile has no abort: its close(), which its finaliser also calls, would
        write a central directory into an upload already aborted."""
        self._zip.fp = None
