"""Shared fixtures: one local SparkSession for the folder, and a helper laying out NDJSON files + manifest."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from ndjson_parquet.local import local_session


@pytest.fixture
def s3(monkeypatch):
    """moto's S3 in this process with the job's three buckets, no emulator endpoint inherited."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3")
        for bucket in ("input", "manifests", "output"):
            client.create_bucket(Bucket=bucket)
        yield client


@pytest.fixture(scope="session")
def spark():
    session = local_session("local[2]", driver_memory="1g")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


class Inputs:
    """Writes NDJSON files (exact bytes) and a manifest listing them, under a pytest tmp_path."""

    def __init__(self, root: Path):
        self.root = root
        self.paths: list[Path] = []

    def file(self, name: str, content: str | bytes) -> Path:
        path = self.root / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        self.paths.append(path)
        return path

    def manifest(self, manifest_id: str = "m-0001", date_prefix: str | None = "2024-01-15") -> Path:
        document = {
            "fileLocations": [{"URIPrefixes": [p.as_uri() for p in self.paths]}],
            "manifest_id": manifest_id,
        }
        if date_prefix:
            document["date_prefix"] = date_prefix
        path = self.root / "manifests" / f"{manifest_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
        return path


@pytest.fixture
def inputs(tmp_path: Path) -> Inputs:
    return Inputs(tmp_path)
