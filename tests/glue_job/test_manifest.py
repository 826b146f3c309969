"""Reading the manifest the manifest builder writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ndjson_parquet.manifest import ManifestError, load_manifest, parse_manifest


def document(**fields) -> str:
    return json.dumps(
        {"fileLocations": [{"URIPrefixes": ["s3://in/a.ndjson", "s3://in/b.ndjson"]}], **fields}
    )


def test_files_id_and_date_come_from_the_manifest():
    manifest = parse_manifest(
        document(manifest_id="m-1", date_prefix="2024-02-03"), "s3://m/manifests/x.json"
    )
    assert manifest.uris == ("s3://in/a.ndjson", "s3://in/b.ndjson")
    assert (manifest.manifest_id, manifest.date_prefix) == ("m-1", "2024-02-03")


def test_date_falls_back_to_the_manifest_key():
    manifest = parse_manifest(document(manifest_id="m-1"), "s3://m/manifests/2024-05-06/x.json")
    assert manifest.date_prefix == "2024-05-06"


def test_date_falls_back_to_today_utc():
    today = datetime(2030, 1, 2, 23, 59, tzinfo=UTC)
    assert parse_manifest(document(manifest_id="m-1"), "s3://m/x.json", today).date_prefix == "2030-01-02"


def test_id_falls_back_to_the_manifest_file_name():
    assert parse_manifest(document(), "s3://m/manifests/abc-123.json").manifest_id == "abc-123"


def test_a_file_listed_twice_is_converted_once():
    text = json.dumps(
        {"fileLocations": [{"URIPrefixes": ["s3://in/a.ndjson"]}, {"URIPrefixes": ["s3://in/a.ndjson"]}]}
    )
    assert parse_manifest(text, "s3://m/x.json").uris == ("s3://in/a.ndjson",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "is not JSON"),
        (json.dumps({"files": []}), "no fileLocations list"),
        (json.dumps({"fileLocations": [{"URIPrefixes": "s3://x"}]}), "without URIPrefixes strings"),
        (document(date_prefix="15/01/2024"), "is not YYYY-MM-DD"),
        (document(manifest_id="../escape"), "must contain only"),
    ],
)
def test_a_bad_manifest_is_a_clear_error(text, message):
    with pytest.raises(ManifestError, match=message):
        parse_manifest(text, "s3://m/x.json")


def test_a_local_manifest_is_read_from_a_plain_path_or_file_uri(tmp_path):
    path = tmp_path / "2024-01-15" / "m.json"
    path.parent.mkdir()
    path.write_text(document(manifest_id="m-1"))
    for location in (str(path), path.as_uri()):
        manifest = load_manifest(location)
        assert (manifest.manifest_id, manifest.date_prefix, len(manifest.uris)) == ("m-1", "2024-01-15", 2)
