"""The file router on the applied dev stack: S3 announces each upload under data/in/ to EventBridge, the
stack's rule delivers it to the router, and the router decides with the config Terraform uploaded from the
repository (config/config.json). A routed file is loaded by the stack's datamart workflow (a nested
execution per job) into the session's PostgreSQL, then archived; a file whose load fails is set aside under
data/failed/ with an alert."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from file_router.decisions import DecisionTable


@pytest.fixture
def folder() -> str:
    """A folder of its own under data/in/ for the test's files."""
    return f"router-{uuid.uuid4().hex[:8]}"


def land(scenario, key: str, body: bytes = b"customer_id\n1\n") -> None:
    scenario.s3.put_object(Bucket=scenario.outputs["input_bucket_name"], Key=key, Body=body)
    assert scenario.deployment.pipeline.deliver_events() >= 1


def settled(scenario, key: str):
    """The file's decision once its routing execution has archived or set it aside."""
    deadline = time.monotonic() + 90
    while (found := decision(scenario, key)).status == "triggered":
        assert time.monotonic() < deadline, "the routing execution did not settle the file in 90 s"
        time.sleep(0.5)
    return found


def decision(scenario, key: str):
    table = DecisionTable(
        scenario.deployment.aws.client("dynamodb"), scenario.outputs["router_decisions_table_name"]
    )
    (found,) = table.history(f"s3://{scenario.outputs['input_bucket_name']}/{key}")
    return found


def keys(scenario, folder: str) -> list[str]:
    listing = scenario.s3.list_objects_v2(Bucket=scenario.outputs["input_bucket_name"], Prefix="data/")
    return sorted(item["Key"] for item in listing.get("Contents", []) if f"/{folder}/" in item["Key"])


def test_an_unknown_file_is_moved_to_new_files(scenario, folder):
    land(scenario, f"data/in/{folder}/mystery.csv")

    assert keys(scenario, folder) == [f"data/new_files/{folder}/mystery.csv"]
    assert decision(scenario, f"data/in/{folder}/mystery.csv").status == "not_configured"


def test_a_file_of_the_inactive_job_stays(scenario, folder):
    land(scenario, f"data/in/{folder}/products.csv")

    inactive = decision(scenario, f"data/in/{folder}/products.csv")
    assert keys(scenario, folder) == [f"data/in/{folder}/products.csv"]
    assert (inactive.status, inactive.jobs) == ("inactive", ["JOB005"])


@pytest.fixture(scope="module")
def staging_schema(datamart_dsn) -> str:
    """The config's target tables live in the datamart's `staging` schema, which the datamart's own schema
    scripts create; the engine creates a missing table, never a schema."""
    with psycopg.connect(datamart_dsn, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
    return datamart_dsn


def test_a_routed_file_is_upserted_into_its_table_then_archived(scenario, folder, staging_schema):
    key = f"data/in/{folder}/customers.csv"
    land(scenario, key, b"customer_id,name\n1,Ada\n2,Grace\n")
    assert decision(scenario, key).status == "triggered"

    assert settled(scenario, key).status == "archived"
    (archived,) = keys(scenario, folder)
    assert archived.startswith("data/archive/") and archived.endswith(f"/{folder}/customers.csv")
    with psycopg.connect(staging_schema) as connection:
        rows = connection.execute("SELECT customer_id, name FROM staging.customers ORDER BY 1").fetchall()
    # CSV values arrive as text; a new table takes its columns from the file (the engine's type mapping).
    assert rows == [("1", "Ada"), ("2", "Grace")]


def test_a_routed_file_whose_load_fails_is_set_aside_with_an_alert(scenario, folder, staging_schema):
    received = scenario.alerts_queue(f"router-alerts-{folder}")
    # Every row lacks the upsert key: all rejected, far above the reject ratio, so the load step fails.
    land(scenario, f"data/in/{folder}/orders.csv", b"order_id,customer_id,amount\n,,1\n,,2\n")

    assert settled(scenario, f"data/in/{folder}/orders.csv").status == "failed"
    assert keys(scenario, folder) == [f"data/failed/{folder}/orders.csv"]
    subjects = [alert.get("Subject") for alert in received()]
    assert "Routed file failed: orders.csv" in subjects
