"""What is left out: the archive itself, ignore patterns on the relative key and on the file name."""

import pytest
from download_zip.request import InvalidRequest, parse_request
from download_zip.service import zip_prefix

from .conftest import DESTINATION, SOURCE, event, manifest, members, put, read_zip


def test_a_destination_inside_the_source_prefix_is_not_included(s3, settings):
    put(s3, {"data/a.csv": b"a", "data/archive.zip": b"an earlier run"})

    result = zip_prefix(s3, parse_request(event(destination_bucket=SOURCE, key="data/archive.zip")), settings)

    archive = read_zip(s3, key="data/archive.zip", bucket=SOURCE)
    assert members(archive) == {"a.csv": b"a"}
    assert manifest(archive)["skipped"] == [{"key": "data/archive.zip", "reason": "destination"}]
    assert result["skipped"] == 1


def test_the_same_key_in_another_bucket_is_not_the_destination(s3, settings):
    put(s3, {"data/a.zip": b"zipped before"})

    zip_prefix(s3, parse_request(event(key="data/a.zip")), settings)

    assert members(read_zip(s3, key="data/a.zip", bucket=DESTINATION)) == {"a.zip": b"zipped before"}


@pytest.mark.parametrize(
    ("pattern", "left_out"),
    [
        ("*.zip", {"old.zip", "nested/older.zip"}),
        ("nested/*", {"nested/older.zip", "nested/keep.csv"}),
        ("keep.csv", {"nested/keep.csv"}),
        ("nested/keep.*", {"nested/keep.csv"}),
        ("*.ZIP", set()),
    ],
)
def test_ignore_patterns_match_the_relative_key_or_the_file_name(s3, settings, pattern, left_out):
    names = {"old.zip", "nested/older.zip", "nested/keep.csv", "top.csv"}
    put(s3, {f"data/{name}": name.encode() for name in names})

    result = zip_prefix(s3, parse_request(event(ignore_patterns=[pattern])), settings)

    assert set(members(read_zip(s3))) == names - left_out
    assert sorted(s["key"] for s in manifest(read_zip(s3))["skipped"]) == sorted(
        f"data/{n}" for n in left_out
    )
    assert result["skipped"] == len(left_out)


def test_a_source_object_named_like_the_manifest_is_refused_before_writing(s3, settings):
    put(s3, {"data/MANIFEST.json": b"{}", "data/a.csv": b"a"})

    with pytest.raises(InvalidRequest, match="MANIFEST.json.*ignore_patterns"):
        zip_prefix(s3, parse_request(event()), settings)

    assert s3.list_multipart_uploads(Bucket=DESTINATION).get("Uploads", []) == []


def test_a_nested_manifest_name_is_an_ordinary_member(s3, settings):
    put(s3, {"data/sub/MANIFEST.json": b"theirs"})

    zip_prefix(s3, parse_request(event()), settings)

    assert members(read_zip(s3)) == {"sub/MANIFEST.json": b"theirs"}
