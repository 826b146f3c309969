"""The datamart load workflow in the applied dev stack: chained after the intake, checks failing and replayed,
a SQL error named, re-runs changing nothing. The state machine runs in the emulator's interpreter, its
functions in the emulator's process (the deployed handlers), the Glue job with the engine in this one,
PostgreSQL is local_pg; EventBridge's events are delivered by the deployment's pipeline.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import pytest
from datamart_workflow import bundles, layout
from datamart_workflow.runs import RunStore

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator, pytest.mark.postgres]

DAY = "2024-03-05"
BUNDLES = Path(__file__).resolve().parents[2] / "config" / "bundles"
LAYERS = {
    "stg": "SELECT count(*) FROM stg.events",
    "edv_hub_event": "SELECT count(*) FROM edv.hub_event",
    "edv_sat_event": "SELECT count(*) FROM edv.sat_event",
    "edv_link": "SELECT count(*) FROM edv.link_event_user",
    "dm_events": "SELECT coalesce(sum(events), 0) FROM dm.daily_city_events",
}


class Datamart:
    def __init__(self, scenario, dsn: str) -> None:
        self.scenario = scenario
        self.dsn = dsn
        self.outputs = scenario.outputs
        self.sfn = scenario.deployment.aws.client("stepfunctions")
        self.runs = RunStore(
            scenario.deployment.aws.client("dynamodb"), self.outputs["datamart_runs_table_name"]
        )

    def start(self, request: dict) -> dict:
        arn = self.sfn.start_execution(
            stateMachineArn=self.outputs["datamart_state_machine_arn"], input=json.dumps(request)
        )["executionArn"]
        return self.wait(arn)

    def wait(self, arn: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while (described := self.sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, f"{arn} still running after {timeout} s"
            time.sleep(0.2)
        return described

    def executions_with(self, request: dict) -> list[dict]:
        """The workflow's executions started with this input."""
        machine = self.outputs["datamart_state_machine_arn"]
        return [
            execution
            for execution in self.sfn.list_executions(stateMachineArn=machine)["executions"]
            if json.loads(self.sfn.describe_execution(executionArn=execution["executionArn"])["input"])
            == request
        ]

    def wait_for_every_run(self) -> None:
        machine = self.outputs["datamart_state_machine_arn"]
        for execution in self.sfn.list_executions(stateMachineArn=machine)["executions"]:
            self.wait(execution["executionArn"])

    def counts(self) -> dict[str, int]:
        """Rows per layer (0 before the bundle's first run has created its tables)."""
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            if connection.execute("SELECT to_regclass('dm.daily_city_events')").fetchone()[0] is None:
                return dict.fromkeys(LAYERS, 0)
            return {layer: connection.execute(sql).fetchone()[0] for layer, sql in LAYERS.items()}

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(sql)


@pytest.fixture(scope="module")
def datamart(scenario, datamart_dsn):
    return Datamart(scenario, datamart_dsn)


@pytest.fixture(scope="module")
def chained(datamart, scenario):
    """A day of files through the intake, then the completed manifests' events delivered to the rules.

    The stack is the session's: manifests other suites completed before are loaded first (their events go
    to the same rule), so this day's rows are what its own runs add: `added`, per layer.
    """
    scenario.deployment.pipeline.deliver_events()
    datamart.wait_for_every_run()
    before = datamart.counts()
    files = sample_data.uniform_files(DAY, count=2, lines_per_file=30, seed=5)
    scenario.upload(files)
    scenario.run()
    intake = [e for e in scenario.deployment.pipeline.executions() if e["name"].startswith(DAY)]
    described = [datamart.sfn.describe_execution(executionArn=e["executionArn"]) for e in intake]
    scenario.deployment.pipeline.deliver_events()
    started = [datamart.executions_with({"bundle": "events", "manifest_ids": [e["name"]]}) for e in described]
    runs = [datamart.wait(execution["executionArn"]) for found in started for execution in found]
    counts = datamart.counts()
    added = {layer: count - before[layer] for layer, count in counts.items()}
    return {"files": files, "intake": described, "runs": runs, "counts": counts, "added": added}


def test_a_completed_manifest_is_loaded_into_every_layer(chained):
    lines = sum(f.valid_lines for f in chained["files"])
    assert [run["status"] for run in chained["runs"]] == ["SUCCEEDED"] * len(chained["intake"])
    assert chained["added"] == {
        "stg": lines,
        "edv_hub_event": lines,
        "edv_sat_event": lines,
        "edv_link": lines,
        "dm_events": lines,
    }


def test_the_run_records_the_manifests_it_loaded_and_its_summary(chained, datamart):
    manifest_ids = sorted(execution["name"] for execution in chained["intake"])
    runs = [datamart.runs.runs_of_manifest(manifest_id)[-1] for manifest_id in manifest_ids]
    assert [(run["status"], run["manifest_ids"]) for run in runs] == [
        ("succeeded", [m]) for m in manifest_ids
    ]
    assert runs[-1]["summary"]["rows"]["stg"]["stg.events"] == chained["counts"]["stg"]


def test_the_time_from_a_manifests_completion_to_its_rows_in_the_mart_is_reported(chained):
    completed = max(execution["stopDate"] for execution in chained["intake"])
    loaded = max(run["stopDate"] for run in chained["runs"])
    seconds = (loaded - completed).total_seconds()
    print(f"\nintake manifest completed -> rows in the data mart: {seconds:.1f} s")
    assert 0 < seconds < 60


def test_a_rerun_of_a_succeeded_run_changes_nothing(chained, datamart):
    manifest_id = chained["intake"][0]["name"]
    again = datamart.start({"bundle": "events", "manifest_ids": [manifest_id]})
    assert again["status"] == "SUCCEEDED"
    assert datamart.counts() == chained["counts"]


def test_a_failing_check_alerts_and_a_replay_after_the_fix_succeeds_without_duplicates(
    chained, datamart, scenario
):
    alerts = scenario.alerts_queue("datamart-check-alerts")
    datamart.execute("INSERT INTO dm.daily_city_events VALUES ('2020-01-01', 'Atlantis', NULL, 1, 1, 0)")
    failed = datamart.start({"bundle": "events", "date_prefix": DAY})
    assert failed["status"] == "FAILED"
    (record,) = [run for run in datamart.runs.scan() if run.get("request", {}).get("date_prefix") == DAY]
    assert (record["status"], record["failed_state"], record["error"]) == (
        "failed",
        "CheckResults",
        "ChecksFailed",
    )
    assert "check dm-cities-known (DM)" in record["cause"] and "Atlantis" in record["cause"]
    received = [json.loads(alert["Message"]) for alert in alerts()]
    assert [(a["event"], a["run_id"]) for a in received] == [("datamart_run_failed", record["run_id"])]

    datamart.execute("DELETE FROM dm.daily_city_events WHERE city = 'Atlantis'")
    replayed = datamart.start({"replay": record["run_id"]})
    assert replayed["status"] == "SUCCEEDED"
    assert datamart.runs.get(record["run_id"])["status"] == "succeeded"
    assert datamart.counts() == chained["counts"]


def test_a_sql_error_in_a_script_is_named_in_the_runs_error(chained, datamart, scenario):
    files = bundles.read_folder(BUNDLES / "events")
    manifest = json.loads(files["bundle.json"])
    files["bundle.json"] = json.dumps({**manifest, "bundle": "events_broken"}).encode()
    files["EDV/links.sql"] = (
        b"INSERT INTO edv.link_event_user (link_hk) SELECT no_such_column FROM stg.events;\n"
    )
    s3, bucket = scenario.s3, scenario.outputs["config_bucket_name"]
    version = bundles.version(files)
    for path, body in files.items():
        s3.put_object(
            Bucket=bucket, Key=layout.bundle_version_prefix("events_broken", version) + path, Body=body
        )
    pointer = json.dumps({"bundle": "events_broken", "version": version}).encode()
    s3.put_object(Bucket=bucket, Key=layout.bundle_pointer_key("events_broken"), Body=pointer)

    failed = datamart.start({"bundle": "events_broken", "date_prefix": DAY})
    assert failed["status"] == "FAILED"
    (record,) = [run for run in datamart.runs.scan() if run.get("bundle") == "events_broken"]
    assert record["failed_state"] == "RunLoad"
    assert "step edv-links" in record["cause"] and "EDV/links.sql" in record["cause"]
    assert 'column "no_such_column" does not exist' in record["cause"]
    assert datamart.counts() == chained["counts"]


def test_a_run_request_written_under_config_runs_starts_its_run(chained, datamart, scenario):
    request = {"bundle": "events", "run_date": DAY, "requested_by": "integration test"}
    key = "config/runs/events-" + DAY + ".json"
    scenario.s3.put_object(
        Bucket=scenario.outputs["config_bucket_name"], Key=key, Body=json.dumps(request).encode()
    )
    scenario.deployment.pipeline.deliver_events()
    deadline = time.monotonic() + 30
    while not (
        started := datamart.executions_with(
            {"run_request": {"bucket": scenario.outputs["config_bucket_name"], "key": key}}
        )
    ):
        assert time.monotonic() < deadline, "no execution started for the run request"
        time.sleep(0.2)
    assert datamart.wait(started[0]["executionArn"])["status"] == "SUCCEEDED"
    assert datamart.counts() == chained["counts"]
