"""One in-process moto S3 per test with a versioned config bucket; payloads that pass their schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest
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
def s3(moto_s3, monkeypatch):
    monkeypatch.setenv("CONFIG_BUCKET", BUCKET)
    moto_s3.create_bucket(Bucket=BUCKET)
    moto_s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return moto_s3


@pytest.fixture
def store(s3) -> ConfigStore:
    return ConfigStore(s3)


@pytest.fixture
def settings() -> Settings:
    return Settings(config_bucket=BUCKET)


def keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_object_versions(Bucket=BUCKET).get("Versions", [])]
