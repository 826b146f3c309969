"""ZIP64 where the classic format ends: over 65,535 members, or a member over 4 GiB. Tested on the writer
with a counting sink (and, for the size limit, zipfile's 4 GiB limit lowered) rather than gigabytes."""

import io
import zipfile
from datetime import UTC, datetime

from download_zip.archive import ZipArchive

WHEN = datetime(2026, 11, 29, tzinfo=UTC)
ZIP64_END_OF_CENTRAL_DIRECTORY = b"PK\x06\x06"


class ForwardOnlySink:
    """Accepts writes and nothing else, like the multipart upload."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass


def test_more_than_65535_members_get_the_zip64_end_records_and_all_are_readable():
    sink = ForwardOnlySink()
    archive = ZipArchive(sink, compression_level=0)
    count = 65_600
    for n in range(count):
        archive.add(f"m/{n}", 1, WHEN, [b"x"])
    archive.close()

    assert ZIP64_END_OF_CENTRAL_DIRECTORY in sink.data[-200:]
    with zipfile.ZipFile(io.BytesIO(sink.data)) as reader:
        names = reader.namelist()
        assert len(names) == count
        assert reader.read("m/65599") == b"x"


def test_a_member_larger_than_the_zip32_limit_gets_zip64_sizes(monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    sink = ForwardOnlySink()
    archive = ZipArchive(sink, compression_level=1)
    body = bytes(range(256)) * 40

    archive.add("big.bin", len(body), WHEN, [body[:5000], body[5000:]])
    archive.close()

    with zipfile.ZipFile(io.BytesIO(sink.data)) as reader:
        (info,) = reader.infolist()
        assert reader.read("big.bin") == body
        assert (info.extra[:2], info.file_size) == (b"\x01\x00", len(body))  # header id 0x0001: ZIP64


def test_a_last_modified_before_1980_is_clamped_to_the_zip_epoch():
    sink = ForwardOnlySink()
    archive = ZipArchive(sink, compression_level=0)

    archive.add("old", 0, datetime(1970, 1, 1, tzinfo=UTC), [])
    archive.close()

    with zipfile.ZipFile(io.BytesIO(sink.data)) as reader:
        assert reader.getinfo("old").date_time == (1980, 1, 1, 0, 0, 0)


def test_an_archive_past_the_zip32_offset_limit_gets_zip64_offsets_and_end_records(monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    sink = ForwardOnlySink()
    archive = ZipArchive(sink, compression_level=0)
    bodies = {f"m{n}": bytes([n]) * 1000 for n in range(8)}

    for name, body in bodies.items():
        archive.add(name, len(body), WHEN, [body])
    archive.close()

    assert ZIP64_END_OF_CENTRAL_DIRECTORY in sink.data[-200:]
    with zipfile.ZipFile(io.BytesIO(sink.data)) as reader:
        assert {name: reader.read(name) for name in reader.namelist()} == bodies
        assert reader.getinfo("m7").header_offset > 4096
