"""One in-process moto S3 per test with a versioned config bucket; payloads that pass their schema."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from moto import mock_aws
from upload_config.config import Settings
from upload_config.store import ConfigStore

BUCKET = "platform-config"

ROUTER_CONFIG = [
    {
        "job_id": "JOB001",
        "job_name": "customers_load",
        "source_file_name": "customers.csv",
        "target_table": "staging.customers",
        "upsert_keys": ["customer_id"],
        "is_active": True,
    },
    {
        "job_id": "JOB002",
        "job_name": "orders_load",
        "source_file_name": "orders.csv",
        "target_table": "staging.orders",
        "upsert_keys": ["order_id", "customer_id"],
        "is_active": False,
    },
]

RUN_FOR_DATE = {"bundle": "EDV", "run_date": "2026-11-28"}


@pytest.fixture
def router_config() -> list[dict[str, Any]]:
    return copy.deepcopy(ROUTER_CONFIG)


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CONFIG_BUCKET": BUCKET,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


@pytest.fixture
def store(s3) -> ConfigStore:
    return ConfigStore(s3)


@pytest.fixture
def settings() -> Settings:
    return Settings(config_bucket=BUCKET)


def keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_object_versions(Bucket=BUCKET).get("Versions", [])]
