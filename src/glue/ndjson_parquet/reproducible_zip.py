"""Zip archives with reproducible bytes, written atomically: the build's archives and the line parser's jar.

Terraform compares uploads by hash, so the same inputs must give the same bytes: entries get a fixed
timestamp and fixed permissions, in the order given. The archive is written beside its target and renamed, so
a reader (Terraform, another test worker) never sees half of it.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

# The earliest timestamp a zip entry can carry; any fixed value would do.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]]) -> Path:
    """Write ``(name, data)`` entries to ``path``; the same entries give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so external_attr is read as POSIX permissions
                info.external_attr = FILE_MODE << 16
                archive.writestr(info, data, compresslevel=9)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path
