"""CheckResults, FinalizePipeline and HandleFailure around a real engine run on the sample bundle."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from build_processing_plan.service import build
from check_results.service import ChecksFailed, check
from datamart_load.engine import run_plan
from datamart_load.plan import load_plan, parse_plan
from datamart_load.staging_names import staging_table
from datamart_workflow.requests import parse_request
from finalize_pipeline.service import finalize
from handle_failure.service import handle

from .conftest import DAY

LAYER_TABLES = (
    "SELECT (SELECT count(*) FROM stg.events), (SELECT count(*) FROM edv.hub_event), "
    "(SELECT count(*) FROM edv.sat_event), (SELECT count(*) FROM edv.link_event_user), "
    "(SELECT sum(events) FROM dm.daily_city_events)"
)


def planned(workflow, event=None) -> dict:
    return build(parse_request(event or {"bundle": "events", "date_prefix": DAY}), workflow.runtime)


def load(workflow, run: dict) -> dict:
    return run_plan(load_plan(run["plan_uri"]), workflow.dsn)


def started_at() -> str:
    return (datetime.now(UTC) - timedelta(seconds=5)).isoformat()


def test_a_loaded_run_passes_its_checks_with_every_source_row_accounted_for(workflow):
    workflow.put_manifest_parquet(events=40)
    run = planned(workflow)
    load(workflow, run)
    outcome = check(run, workflow.runtime)
    events = next(entry for entry in outcome["loads"] if entry["step"] == "stg-events")
    assert (events["source_rows"], events["inserted"], events["rejected"]) == (40, 40, 0)
    assert [c["passed"] for c in outcome["checks"]] == [True] * 5
    assert workflow.runtime.runs.get(run["run_id"])["status"] == "checked"


def test_a_failing_check_is_named_with_its_first_rows(workflow):
    workflow.put_manifest_parquet()
    run = planned(workflow)
    load(workflow, run)
    workflow.execute("INSERT INTO dm.daily_city_events VALUES ('2020-01-01', 'Atlantis', NULL, 1, 1, 0)")
    with pytest.raises(ChecksFailed) as raised:
        check(run, workflow.runtime)
    message = str(raised.value)
    assert "check dm-cities-known (DM) (checks/dm_cities_known.sql) returned 1 row(s): " in message
    assert "'Atlantis'" in message
    assert "stg-events-complete" not in message


def test_a_step_the_engine_did_not_apply_is_named(workflow):
    workflow.put_manifest_parquet()
    run = planned(workflow)
    with pytest.raises(ChecksFailed, match=f"run {run['run_id']} is not in the ledger"):
        check(run, workflow.runtime)


def test_finalize_records_the_summary_with_rows_per_layer_and_publishes_it(workflow):
    workflow.put_manifest_parquet(events=30)
    run = planned(workflow)
    load(workflow, run)
    checked = check(run, workflow.runtime)
    summary = finalize({"run": run, "checks": checked, "started_at": started_at()}, workflow.runtime)
    assert summary["rows"]["stg"] == {"stg.events": 30, "stg.ref_city": 5}
    assert summary["rows"]["edv"]["edv.hub_event"] == 30
    assert sum(summary["rows"]["dm"].values()) > 0
    assert summary["rejected"] == 0 and summary["checks_passed"] == 5 and summary["seconds"] >= 5
    record = workflow.runtime.runs.get(run["run_id"])
    assert (record["status"], record["summary"]["rows"]) == ("succeeded", summary["rows"])
    assert [m["event"] for m in workflow.messages(workflow.notices_queue)] == ["datamart_run_succeeded"]


def test_finalize_removes_what_a_killed_attempt_left_in_staging(workflow):
    workflow.put_manifest_parquet()
    run = planned(workflow)
    load(workflow, run)
    left = staging_table(run["run_id"], "stg-events")
    workflow.execute(f"CREATE TABLE {left} (x int)")
    summary = finalize(
        {"run": run, "checks": check(run, workflow.runtime), "started_at": started_at()}, workflow.runtime
    )
    assert summary["staging_tables_dropped"] == 1
    assert workflow.rows(f"SELECT to_regclass('{left}')") == [(None,)]


def test_a_rerun_of_a_succeeded_run_changes_nothing(workflow):
    workflow.put_manifest_parquet()
    run = planned(workflow)
    load(workflow, run)
    before = workflow.rows(LAYER_TABLES)
    again = planned(workflow)
    summary = load(workflow, again)
    assert again == run
    assert {step["status"] for step in summary["steps"]} == {"skipped"}
    check(again, workflow.runtime)
    assert workflow.rows(LAYER_TABLES) == before


def test_a_new_run_on_the_same_data_adds_no_history(workflow):
    workflow.put_manifest_parquet()
    first = planned(workflow)
    load(workflow, first)
    finalize({"run": first, "checks": {}, "started_at": started_at()}, workflow.runtime)
    before = workflow.rows(LAYER_TABLES + ", (SELECT count(*) FROM edv.sat_user)")
    sources = [f"s3://{workflow.settings.intake_bucket}/parquet/date_prefix={DAY}/"]
    load(workflow, planned(workflow, {"bundle": "events", "sources": sources}))
    assert workflow.rows(LAYER_TABLES + ", (SELECT count(*) FROM edv.sat_user)") == before


def test_a_changed_event_adds_a_satellite_row_and_keeps_the_old_one(workflow):
    workflow.put_manifest_parquet(events=10)
    run = planned(workflow)
    load(workflow, run)
    workflow.execute(
        "UPDATE stg.events SET amount = amount + 1 WHERE event_id = (SELECT min(event_id) FROM stg.events)"
    )
    plan = workflow.runtime.store.read_plan(run["plan_uri"])
    satellites = [step for step in plan["steps"] if step["id"] == "edv-satellites"]
    run_plan(parse_plan({"run_id": "satellites-again", "steps": satellites}), workflow.dsn)
    assert workflow.rows("SELECT count(*), count(DISTINCT event_hk) FROM edv.sat_event") == [(11, 10)]


def test_handle_failure_records_the_failed_state_and_the_engines_message_and_alerts(workflow):
    workflow.put_manifest_parquet()
    run = planned(workflow)
    glue_cause = json.dumps(
        {"JobRunState": "FAILED", "ErrorMessage": "step edv-hubs: script s3://c/EDV/hubs.sql: failed"}
    )
    state = {"bundle": "events", "run": run, "error": {"Error": "States.TaskFailed", "Cause": glue_cause}}
    outcome = handle({"state": state, "execution": "arn:execution"}, workflow.runtime)
    assert (outcome["failed_state"], outcome["cause"]) == (
        "RunLoad",
        "step edv-hubs: script s3://c/EDV/hubs.sql: failed",
    )
    record = workflow.runtime.runs.get(run["run_id"])
    assert (record["status"], record["failed_state"], record["error"]) == (
        "failed",
        "RunLoad",
        "States.TaskFailed",
    )
    alert = workflow.messages(workflow.alerts_queue)
    assert [(a["event"], a["run_id"], a["failed_state"]) for a in alert] == [
        ("datamart_run_failed", run["run_id"], "RunLoad")
    ]


def test_handle_failure_before_a_plan_alerts_without_a_run(workflow):
    cause = json.dumps({"errorMessage": "bundle 'orders' is not deployed", "errorType": "BundleNotDeployed"})
    state = {"bundle": "orders", "date_prefix": DAY, "error": {"Error": "BundleNotDeployed", "Cause": cause}}
    outcome = handle({"state": state}, workflow.runtime)
    assert (outcome["run_id"], outcome["failed_state"], outcome["cause"]) == (
        None,
        "BuildProcessingPlan",
        "bundle 'orders' is not deployed",
    )
    assert [a["failed_state"] for a in workflow.messages(workflow.alerts_queue)] == ["BuildProcessingPlan"]
