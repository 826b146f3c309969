"""One in-process moto S3 per test, with a source and a destination bucket and helpers to read archives."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from download_zip.config import MIB, Settings

SOURCE = "zip-source"
DESTINATION = "zip-destination"


@pytest.fixture
def s3(moto_s3):
    moto_s3.create_bucket(Bucket=SOURCE)
    moto_s3.create_bucket(Bucket=DESTINATION)
    return moto_s3


@pytest.fixture
def settings() -> Settings:
    return Settings(part_size=5 * MIB, compression_level=1)


def put(s3: Any, objects: dict[str, bytes], bucket: str = SOURCE) -> None:
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def event(prefix: str = "data/", key: str = "out/data.zip", **overrides: Any) -> dict[str, Any]:
    return {
        "source_bucket": SOURCE,
        "source_prefix": prefix,
        "destination_bucket": DESTINATION,
        "destination_key": key,
        **overrides,
    }


def read_zip(s3: Any, key: str = "out/data.zip", bucket: str = DESTINATION) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))


def members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Every member but the manifest, by name."""
    return {name: archive.read(name) for name in archive.namelist() if name != "MANIFEST.json"}


def manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    return json.loads(archive.read("MANIFEST.json"))


def keys(s3: Any, bucket: str = DESTINATION) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
