"""What the archive holds: each object's exact bytes under its key relative to the prefix, and a manifest."""

import os
import zlib

from download_zip import readahead
from download_zip.request import parse_request
from download_zip.service import zip_prefix

from .conftest import SOURCE, event, manifest, members, put, read_zip

OBJECTS = {
    "data/orders.csv": b"id,total\n1,2.50\n",
    "data/empty.txt": b"",
    "data/nested/deeper/values.ndjson": b'{"a": 1}\n' * 1000,
    "data/with space/file name.csv": b"spaced",
    "data/données/Ελληνικά 日本.json": "non-ASCII ✓".encode(),
    "data/medium.bin": os.urandom(3 * 1024**2),  # fetched whole ahead of its turn
    "data/random.bin": os.urandom(7 * 1024**2),  # streamed at its turn
}


def test_unzipping_gives_each_objects_exact_bytes_under_its_key_relative_to_the_prefix(s3, settings):
    put(s3, OBJECTS)

    zip_prefix(s3, parse_request(event()), settings)

    assert members(read_zip(s3)) == {key.removeprefix("data/"): body for key, body in OBJECTS.items()}


def test_stored_members_are_exact_too(s3, settings):
    put(s3, OBJECTS)

    zip_prefix(s3, parse_request(event()), settings.__class__(settings.part_size, compression_level=0))

    assert members(read_zip(s3)) == {key.removeprefix("data/"): body for key, body in OBJECTS.items()}


def test_members_keep_the_listing_order_whether_fetched_ahead_or_streamed(s3, settings, monkeypatch):
    monkeypatch.setattr(readahead, "SMALL_OBJECT", 100)
    objects = {f"data/{n:02d}.bin": os.urandom(50 if n % 3 else 500) for n in range(20)}
    put(s3, objects)

    zip_prefix(s3, parse_request(event()), settings)

    archive = read_zip(s3)
    assert archive.namelist() == [key.removeprefix("data/") for key in sorted(objects)] + ["MANIFEST.json"]
    assert members(archive) == {key.removeprefix("data/"): body for key, body in objects.items()}


def test_the_manifest_lists_each_key_size_etag_and_the_crc32_of_its_bytes(s3, settings):
    put(s3, OBJECTS)

    zip_prefix(s3, parse_request(event()), settings)

    files = {entry["key"]: entry for entry in manifest(read_zip(s3))["files"]}
    assert set(files) == set(OBJECTS)
    for key, body in OBJECTS.items():
        head = s3.head_object(Bucket=SOURCE, Key=key)
        assert files[key] == {
            "name": key.removeprefix("data/"),
            "key": key,
            "size": len(body),
            "etag": head["ETag"].strip('"'),
            "crc32": f"{zlib.crc32(body):08x}",
        }


def test_the_manifest_crc32s_are_those_the_zip_records(s3, settings):
    put(s3, OBJECTS)

    zip_prefix(s3, parse_request(event()), settings)

    archive = read_zip(s3)
    assert {e["name"]: int(e["crc32"], 16) for e in manifest(archive)["files"]} == {
        info.filename: info.CRC for info in archive.infolist() if info.filename != "MANIFEST.json"
    }


def test_the_result_counts_files_and_bytes_in_and_out(s3, settings):
    put(s3, OBJECTS)

    result = zip_prefix(s3, parse_request(event()), settings)

    size = s3.head_object(Bucket="zip-destination", Key="out/data.zip")["ContentLength"]
    assert result == {
        "destination": "s3://zip-destination/out/data.zip",
        "files": len(OBJECTS),
        "skipped": 0,
        "bytes_in": sum(len(body) for body in OBJECTS.values()),
        "bytes_out": size,
        "vanished": [],
    }


def test_a_prefix_without_its_slash_zips_that_folder_and_not_its_namesakes(s3, settings):
    put(s3, {"data/a.csv": b"a", "data2/b.csv": b"b", "database.csv": b"c"})

    zip_prefix(s3, parse_request(event(prefix="data")), settings)

    assert members(read_zip(s3)) == {"a.csv": b"a"}


def test_folder_markers_are_skipped_not_zipped(s3, settings):
    put(s3, {"data/": b"", "data/sub/": b"", "data/sub/a.csv": b"a"})

    result = zip_prefix(s3, parse_request(event()), settings)

    assert members(read_zip(s3)) == {"sub/a.csv": b"a"}
    assert manifest(read_zip(s3))["skipped"] == [
        {"key": "data/", "reason": "directory marker"},
        {"key": "data/sub/", "reason": "directory marker"},
    ]
    assert result["skipped"] == 2
