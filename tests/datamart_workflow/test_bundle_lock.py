"""Runs of one bundle go one at a time: its checks read whole tables, so a run checked while another run of
the bundle is half-way would fail them. BuildProcessingPlan takes the bundle, FinalizePipeline and
HandleFailure give it back, and a lock a run never gave back lapses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from build_processing_plan.service import build
from datamart_load.engine import run_plan
from datamart_load.plan import load_plan
from datamart_workflow.requests import parse_request
from datamart_workflow.runs import BUNDLE_LOCK_SECONDS, BundleBusy
from finalize_pipeline.service import finalize
from handle_failure.service import handle

from .conftest import DAY


def plan(workflow, event: dict) -> dict:
    return build(parse_request(event), workflow.runtime)


def by_date(workflow) -> dict:
    return plan(workflow, {"bundle": "events", "date_prefix": DAY})


def by_sources(workflow) -> dict:
    return plan(
        workflow, {"bundle": "events", "sources": [f"s3://{workflow.settings.intake_bucket}/parquet/"]}
    )


def test_a_second_run_of_a_bundle_waits_naming_the_run_that_holds_it(workflow):
    workflow.put_manifest_parquet()
    first = by_date(workflow)

    with pytest.raises(BundleBusy, match=f"bundle events is being run by {first['run_id']}"):
        by_sources(workflow)


def test_a_waiting_run_is_not_recorded_until_it_holds_the_bundle(workflow):
    workflow.put_manifest_parquet()
    by_date(workflow)

    with pytest.raises(BundleBusy):
        by_sources(workflow)

    assert [run["status"] for run in workflow.runtime.runs.scan()] == ["planned"]


def test_the_run_holding_the_bundle_plans_again(workflow):
    workflow.put_manifest_parquet()
    first = by_date(workflow)

    assert by_date(workflow) == first


def test_a_finalized_run_gives_the_bundle_to_the_next(workflow):
    workflow.put_manifest_parquet()
    first = by_date(workflow)
    run_plan(load_plan(first["plan_uri"]), workflow.dsn)
    finalize({"run": first, "checks": {}, "started_at": datetime.now(UTC).isoformat()}, workflow.runtime)

    assert by_sources(workflow)["bundle"] == "events"


def test_a_failed_run_gives_the_bundle_to_the_next(workflow):
    workflow.put_manifest_parquet()
    first = by_date(workflow)
    cause = json.dumps({"JobRunState": "FAILED", "ErrorMessage": "step stg-events: too many rejects"})
    state = {"run": first, "error": {"Error": "States.TaskFailed", "Cause": cause}}
    handle({"state": state}, workflow.runtime)

    assert by_sources(workflow)["bundle"] == "events"


def test_a_lock_never_given_back_lapses(workflow):
    runs = workflow.runtime.runs
    runs.acquire_bundle("events", "crashed-run", at=1_000_000)

    with pytest.raises(BundleBusy):
        runs.acquire_bundle("events", "next-run", at=1_000_000 + BUNDLE_LOCK_SECONDS - 1)
    runs.acquire_bundle("events", "next-run", at=1_000_000 + BUNDLE_LOCK_SECONDS + 1)


def test_the_routers_loads_take_no_bundle(workflow):
    workflow.put_manifest_parquet()
    by_date(workflow)
    load = {
        "id": "JOB001",
        "source_uris": [f"s3://{workflow.settings.intake_bucket}/parquet/"],
        "format": "parquet",
        "target_table": "staging.events",
        "upsert_keys": ["event_id"],
    }

    assert plan(workflow, {"loads": [load], "run_id": "router-1-JOB001"})["run_id"] == "router-1-JOB001"
