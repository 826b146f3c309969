"""A manifest converts the versions it lists: a re-upload after the manifest was cut changes nothing, on the
first run and on every replay (moto's versioned S3; local runs download the listed versions, Glue's copies
the versions whose keys moved on)."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from ndjson_parquet.job import JobOptions
from ndjson_parquet.local import run_glue_arguments
from ndjson_parquet.manifest import load_manifest
from ndjson_parquet.versions import moved_on, pin, remove_copies, staging_root

KEY = "2024-01-15/a b.ndjson"
URI = f"s3://input/{KEY}"
FOLDER = "date_prefix=2024-01-15/manifest_id=m-v/"


@pytest.fixture
def s3(s3):
    s3.put_bucket_versioning(Bucket="input", VersioningConfiguration={"Status": "Enabled"})
    return s3


def manifest_of_the_first_upload(s3) -> str:
    """The original uploaded and manifested as the builder does (its version listed); the manifest's key."""
    first = s3.put_object(Bucket="input", Key=KEY, Body=b'{"id": "original"}\n')
    document = {
        "fileLocations": [{"URIPrefixes": [URI]}],
        "files": [{"uri": URI, "version_id": first["VersionId"], "etag": first["ETag"]}],
        "manifest_id": "m-v",
        "date_prefix": "2024-01-15",
    }
    s3.put_object(Bucket="manifests", Key="manifests/m-v.json", Body=json.dumps(document).encode())
    return "manifests/m-v.json"


def converted_ids(s3) -> list[str]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="output", Prefix=f"parquet/{FOLDER}")["Contents"]]
    tables = [
        pq.read_table(io.BytesIO(s3.get_object(Bucket="output", Key=key)["Body"].read())) for key in keys
    ]
    return sorted(value for table in tables for value in table.column("id").to_pylist())


def test_a_replay_after_a_reupload_still_converts_the_listed_version(spark, s3):
    manifest_key = manifest_of_the_first_upload(s3)
    arguments = {
        "--MANIFEST_PATH": manifest_key,
        "--MANIFEST_BUCKET": "manifests",
        "--OUTPUT_BUCKET": "output",
    }
    run_glue_arguments(arguments, spark)
    s3.put_object(Bucket="input", Key=KEY, Body=b'{"id": "replacement"}\n{"id": "more"}\n')

    stats = run_glue_arguments(arguments, spark)

    assert converted_ids(s3) == ["original"]
    assert stats.files[0].uri == URI


def test_in_glue_only_a_file_whose_key_moved_on_is_copied_from_its_listed_version(s3):
    manifest = load_manifest(f"s3://manifests/{manifest_of_the_first_upload(s3)}")
    assert moved_on(s3, manifest) == set()
    s3.put_object(Bucket="input", Key=KEY, Body=b'{"id": "replacement"}\n')
    root = staging_root(
        JobOptions("s3://manifests/x", "s3://output/parquet", "s3://output/rejects"), manifest
    )

    moved = moved_on(s3, manifest)
    pinned = pin(s3, manifest, root, moved)

    assert moved == {URI}
    assert pinned.uris == (f"s3://output/_staging/m-v/input/{KEY}",)
    copy = s3.get_object(Bucket="output", Key=f"_staging/m-v/input/{KEY}")["Body"].read()
    assert copy == b'{"id": "original"}\n'
    remove_copies(s3, root)
    assert "Contents" not in s3.list_objects_v2(Bucket="output", Prefix="_staging/")
