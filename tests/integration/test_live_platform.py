"""The live platform (`local-aws up`, what `make up` runs): a file uploaded by hand flows to Parquet, a CSV
landed under data/in/ is routed and loaded into the datamart's PostgreSQL, and a failed Glue run's state
change event reaches an EventBridge rule's target."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import psycopg
import pytest

from local_aws.stack import REPO_ROOT, LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.emulator, pytest.mark.spark, pytest.mark.terraform]

DAY = "2025-02-03"
START_TIMEOUT_SECONDS = 600
FLOW_TIMEOUT_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_platform(scratch: Path, environ: dict[str, str]):
    """`local-aws up` in a process of its own, on a port of its own; SIGTERM stops it, as `make down` does."""
    port, workspace = _free_port(), f"live-{os.getpid()}"
    pidfile, log = scratch / "platform.pid", scratch / "platform.log"
    command = [sys.executable, "-m", "local_aws", "up", "--port", str(port), "--workspace", workspace]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--pidfile", str(pidfile)], stdout=output, stderr=output, env=environ
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not pidfile.exists():
            assert process.poll() is None, f"local-aws up exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"not up after {START_TIMEOUT_SECONDS} s:\n{log.read_text()}"
            time.sleep(1)
        endpoint_url = f"http://127.0.0.1:{port}"
        stack = LocalStack(
            {"AWS_ENDPOINT_URL": endpoint_url}, workspace=workspace, log=lambda _: None, base_env=environ
        )
        yield endpoint_url, stack.outputs(), log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        shutil.rmtree(REPO_ROOT / ".local" / workspace, ignore_errors=True)


BACKGROUND_SETUP = running_platform


@pytest.fixture(scope="module")
def platform(background_setups):
    with background_setups.use(__name__, running_platform) as running:
        yield running


def test_a_file_uploaded_by_hand_is_in_parquet_without_any_other_step(platform):
    import pyarrow.parquet as pq
    from manifest_builder.tracking import TrackingTable
    from platform_ops.intake.inventory import load_inventory

    endpoint_url, outputs, log = platform
    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client
    s3 = client("s3", endpoint_url=endpoint_url)
    key = f"{outputs['input_prefix']}{DAY}/by-hand.ndjson"
    uri = f"s3://{outputs['input_bucket_name']}/{key}"
    lines = [{"id": 1, "name": "first"}, {"id": 2, "name": "second"}]
    s3.put_object(
        Bucket=outputs["input_bucket_name"], Key=key, Body="".join(json.dumps(line) + "\n" for line in lines)
    )

    table = TrackingTable(client("dynamodb", endpoint_url=endpoint_url), outputs["tracking_table_name"])
    deadline = time.monotonic() + FLOW_TIMEOUT_SECONDS
    status = None
    while status != "completed":
        assert time.monotonic() < deadline, f"file still {status}:\n{log.read_text()[-4000:]}"
        time.sleep(2)
        found = load_inventory(table, DAY)
        status = next((found.file_status(item) for item in found.files if item.file_key == uri), None)

    output_bucket = outputs["bucket_names"]["output"]
    listed = s3.list_objects_v2(Bucket=output_bucket, Prefix=f"parquet/date_prefix={DAY}/")["Contents"]
    rows = [
        row
        for entry in listed
        if entry["Key"].endswith(".parquet")
        for row in pq.read_table(
            io.BytesIO(s3.get_object(Bucket=output_bucket, Key=entry["Key"])["Body"].read())
        )
        .select(["id", "name"])
        .to_pylist()
    ]
    assert sorted(rows, key=lambda row: row["id"]) == [
        {"id": "1", "name": "first"},
        {"id": "2", "name": "second"},
    ]


def test_a_csv_landed_by_hand_is_routed_loaded_into_postgresql_and_archived(platform):
    from file_router.decisions import DecisionTable

    endpoint_url, outputs, log = platform
    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client
    (dsn,) = re.findall(r"datamart: psql (\S+)", log.read_text())
    # The router's target schema is the datamart's to create (the engine creates tables, never schemas).
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
    bucket, key = outputs["input_bucket_name"], "data/in/live/customers.csv"
    client("s3", endpoint_url=endpoint_url).put_object(
        Bucket=bucket, Key=key, Body=b"customer_id,name\n7,Hedy\n8,Barbara\n"
    )

    decisions = DecisionTable(
        client("dynamodb", endpoint_url=endpoint_url), outputs["router_decisions_table_name"]
    )
    deadline = time.monotonic() + FLOW_TIMEOUT_SECONDS
    status = None
    while status != "archived":
        assert status in (None, "triggered"), f"routed file {status}:\n{log.read_text()[-4000:]}"
        assert time.monotonic() < deadline, f"file still {status}:\n{log.read_text()[-4000:]}"
        time.sleep(2)
        history = decisions.history(f"s3://{bucket}/{key}")
        status = history[-1].status if history else None
    with psycopg.connect(dsn) as connection:
        rows = connection.execute("SELECT customer_id, name FROM staging.customers ORDER BY 1").fetchall()
    assert rows == [("7", "Hedy"), ("8", "Barbara")]


def test_a_failed_glue_runs_state_change_reaches_an_eventbridge_rules_target(platform):
    endpoint_url, outputs, log = platform
    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client
    sqs = client("sqs", endpoint_url=endpoint_url)
    name = f"live-glue-failures-{os.getpid()}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    # The intake alerts once per failed manifest from its state machine; an operator's own rule on Glue's
    # events is delivered as on AWS.
    events = client("events", endpoint_url=endpoint_url)
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"state": ["FAILED"]},
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue_arn}])

    # A manifest that is not there: the job fails on local Spark as it would on Glue.
    run_id = client("glue", endpoint_url=endpoint_url).start_job_run(
        JobName=outputs["glue_job_name"], Arguments={"--MANIFEST_PATH": "manifests/missing.json"}
    )["JobRunId"]

    deadline = time.monotonic() + FLOW_TIMEOUT_SECONDS
    delivered = []
    while not delivered:
        assert time.monotonic() < deadline, f"no event:\n{log.read_text()[-4000:]}"
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
        delivered = [json.loads(m["Body"]) for m in messages]
    (event,) = delivered
    assert (event["source"], event["detail-type"]) == ("aws.glue", "Glue Job State Change")
    assert {k: event["detail"][k] for k in ("jobName", "state", "jobRunId")} == {
        "jobName": outputs["glue_job_name"],
        "state": "FAILED",
        "jobRunId": run_id,
    }
