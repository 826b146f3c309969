"""The file router on the applied dev stack: S3 announces each upload under data/in/ to EventBridge, the
stack's rule delivers it to the router, and the router decides with the config Terraform uploaded from the
repository (config/config.json). The datamart workflow is not deployed by this stack yet, so a routed file's
loads fail: it is set aside under data/failed/ with an alert, as any failed load."""

from __future__ import annotations

import time
import uuid

import pytest
from file_router.decisions import DecisionTable


@pytest.fixture
def folder() -> str:
    """A folder of its own under data/in/ for the test's files."""
    return f"router-{uuid.uuid4().hex[:8]}"


def land(scenario, key: str) -> None:
    scenario.s3.put_object(Bucket=scenario.outputs["input_bucket_name"], Key=key, Body=b"customer_id\n1\n")
    assert scenario.deployment.pipeline.deliver_events() >= 1


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


def test_a_routed_file_whose_loads_cannot_start_is_set_aside_with_an_alert(scenario, folder):
    received = scenario.alerts_queue(f"router-alerts-{folder}")
    land(scenario, f"data/in/{folder}/customers.csv")
    routed = decision(scenario, f"data/in/{folder}/customers.csv")
    assert routed.status == "triggered"

    deadline = time.monotonic() + 60
    while decision(scenario, f"data/in/{folder}/customers.csv").status == "triggered":
        assert time.monotonic() < deadline, "the routing execution did not settle the file in 60 s"
        time.sleep(0.5)

    assert keys(scenario, folder) == [f"data/failed/{folder}/customers.csv"]
    assert decision(scenario, f"data/in/{folder}/customers.csv").status == "failed"
    subjects = [alert.get("Subject") for alert in received()]
    assert "Routed file failed: customers.csv" in subjects
