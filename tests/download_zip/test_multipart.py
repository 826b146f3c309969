"""Parts: at least 5 MiB but the last, the configured size, raised when 10,000 would not be enough."""

import os

from download_zip.config import MIB, Settings
from download_zip.multipart import MAX_PARTS, part_size_for
from download_zip.request import parse_request
from download_zip.service import zip_prefix

from .conftest import event, members, put, read_zip


def record_part_sizes(s3) -> list[int]:
    sizes: list[int] = []
    s3.meta.events.register(
        "before-parameter-build.s3.UploadPart", lambda params, **_: sizes.append(len(params["Body"]))
    )
    return sizes


def test_every_part_but_the_last_has_the_configured_size(s3):
    put(s3, {f"data/{n}.bin": os.urandom(4 * MIB) for n in range(4)})
    sizes = record_part_sizes(s3)

    result = zip_prefix(s3, parse_request(event()), Settings(part_size=6 * MIB, compression_level=0))

    assert sizes[:-1] == [6 * MIB] * (len(sizes) - 1)
    assert 0 < sizes[-1] <= 6 * MIB
    assert sum(sizes) == result["bytes_out"]


def test_a_small_archive_is_one_part(s3, settings):
    put(s3, {"data/a.csv": b"a"})
    sizes = record_part_sizes(s3)

    zip_prefix(s3, parse_request(event()), settings)

    assert len(sizes) == 1
    assert members(read_zip(s3)) == {"a.csv": b"a"}


def test_the_part_size_is_raised_when_the_archive_would_need_more_than_the_part_limit():
    ten_terabytes = 10 * 1024**4

    size = part_size_for(ten_terabytes, configured=16 * MIB)

    assert size % MIB == 0
    assert ten_terabytes / size < MAX_PARTS * 0.95


def test_the_configured_part_size_is_kept_when_it_is_enough():
    assert part_size_for(10 * 1024**3, configured=16 * MIB) == 16 * MIB
