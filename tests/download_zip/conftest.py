"""One in-process moto S3 per test, with a source and a destination bucket and helpers to read archives."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from download_zip.config import MIB, Settings
from moto import mock_aws

SOURCE = "zip-source"
DESTINATION = "zip-destination"


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=SOURCE)
        client.create_bucket(Bucket=DESTINATION)
        yield client


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
