"""BuildProcessingPlan: each input form, the deterministic plan on S3, the run recorded `planned`."""

from __future__ import annotations

import json

import pytest
from build_processing_plan.service import build
from datamart_workflow import bundles, layout
from datamart_workflow.requests import InvalidRequest, parse_request
from datamart_workflow.runs import UnknownRun
from datamart_workflow.store import BundleNotDeployed, SourcesMissing

from .conftest import DAY, MANIFEST, SAMPLE_BUNDLE, deploy_bundle


def plan_of(workflow, event: dict) -> tuple[dict, dict]:
    result = build(parse_request(event, workflow.runtime.store.read_json), workflow.runtime)
    return result, workflow.runtime.store.read_plan(result["plan_uri"])


def test_a_date_plans_the_intakes_parquet_of_that_date_and_records_the_run_planned(workflow):
    workflow.put_manifest_parquet()
    result, plan = plan_of(workflow, {"bundle": "events", "date_prefix": DAY})
    intake = f"s3://{workflow.settings.intake_bucket}/parquet/date_prefix={DAY}/"
    assert result["run_id"] == f"events-{DAY}-{result['bundle_version'][:8]}"
    assert [step["source_uris"] for step in plan["steps"] if step["id"] == "stg-events"] == [[intake]]
    assert plan["parameters"] == {
        "bundle": "events",
        "bundle_version": result["bundle_version"],
        "date_prefix": DAY,
    }
    record = workflow.runtime.runs.get(result["run_id"])
    assert (record["status"], record["sources"], record["plan_uri"]) == (
        "planned",
        [intake],
        result["plan_uri"],
    )


def test_the_plan_names_the_runs_own_copy_of_the_bundle(workflow):
    workflow.put_manifest_parquet()
    result, plan = plan_of(workflow, {"bundle": "events", "run_date": DAY})
    copy = f"s3://{workflow.settings.config_bucket}/{layout.run_bundle_key(result['run_id'], '')}"
    scripts = [step["script_uri"] for step in plan["steps"] if step["type"] == "sql"]
    assert scripts and all(uri.startswith(copy) for uri in scripts)
    bundle = workflow.runtime.store.run_bundle(workflow.settings.config_bucket, result["run_id"])
    assert bundle.version == result["bundle_version"]


def test_the_same_input_gives_the_same_plan_and_counts_an_attempt(workflow):
    workflow.put_manifest_parquet()
    first = plan_of(workflow, {"bundle": "events", "date_prefix": DAY})
    assert plan_of(workflow, {"bundle": "events", "date_prefix": DAY}) == first
    assert workflow.runtime.runs.get(first[0]["run_id"])["attempts"] == 2


def test_manifest_ids_plan_each_manifests_parquet_and_are_recorded(workflow):
    workflow.put_manifest_parquet()
    result, plan = plan_of(workflow, {"bundle": "events", "manifest_ids": [MANIFEST]})
    load = next(step for step in plan["steps"] if step["id"] == "stg-events")
    prefix = f"s3://{workflow.settings.intake_bucket}/parquet/date_prefix={DAY}/manifest_id={MANIFEST}/"
    assert load["source_uris"] == [prefix]
    assert plan["parameters"]["date_prefix"] == DAY
    assert workflow.runtime.runs.get(result["run_id"])["manifest_ids"] == [MANIFEST]
    assert [run["run_id"] for run in workflow.runtime.runs.runs_of_manifest(MANIFEST)] == [result["run_id"]]


def test_a_replay_returns_the_recorded_plan_even_after_a_new_bundle_version(workflow):
    workflow.put_manifest_parquet()
    first, plan = plan_of(workflow, {"bundle": "events", "date_prefix": DAY})
    files = bundles.read_folder(SAMPLE_BUNDLE)
    deploy_bundle(
        workflow.s3, workflow.settings.config_bucket, SAMPLE_BUNDLE, {**files, "EDV/hubs.sql": b"SELECT 1;"}
    )
    replayed, replayed_plan = plan_of(workflow, {"replay": first["run_id"]})
    assert (replayed, replayed_plan) == (first, plan)
    assert workflow.runtime.runs.get(first["run_id"])["attempts"] == 2


def test_a_replay_of_an_unknown_run_is_refused(workflow):
    with pytest.raises(UnknownRun, match="no datamart run 'events-nothing'"):
        plan_of(workflow, {"replay": "events-nothing"})


def test_a_schedule_plans_the_day_before_its_time(workflow):
    workflow.put_manifest_parquet()
    result, _ = plan_of(workflow, {"bundle": "events", "scheduled_time": "2026-11-28T02:00:00Z"})
    assert result["run_id"].startswith(f"events-{DAY}-")


def test_sources_replace_the_intakes_parquet(workflow):
    workflow.put_manifest_parquet()
    source = f"s3://{workflow.settings.intake_bucket}/parquet/"
    _, plan = plan_of(workflow, {"bundle": "events", "sources": [source]})
    assert next(step for step in plan["steps"] if step["id"] == "stg-events")["source_uris"] == [source]


def test_the_routers_loads_are_planned_as_given_under_their_run_id(workflow):
    workflow.put_manifest_parquet()
    load = {
        "id": "orders",
        "source_uris": [f"s3://{workflow.settings.intake_bucket}/parquet/"],
        "format": "parquet",
        "target_table": "staging.orders",
        "upsert_keys": ["event_id"],
    }
    event = {"loads": [load], "origin": {"job_id": "JOB002"}, "run_id": "router-JOB002-1"}
    result, plan = plan_of(workflow, event)
    assert result["run_id"] == "router-JOB002-1"
    assert plan == {"run_id": "router-JOB002-1", "parameters": {}, "steps": [{"type": "load", **load}]}


def test_the_routers_loads_without_run_id_get_one_derived_from_them(workflow):
    workflow.put_manifest_parquet()
    load = {
        "id": "orders",
        "source_uris": [f"s3://{workflow.settings.intake_bucket}/parquet/"],
        "format": "parquet",
        "target_table": "staging.orders",
        "upsert_keys": ["event_id"],
    }
    first, _ = plan_of(workflow, {"loads": [load], "origin": {"key": "data/in/orders.csv"}})
    again, _ = plan_of(workflow, {"loads": [load], "origin": {"key": "data/in/orders.csv"}})
    other, _ = plan_of(workflow, {"loads": [load], "origin": {"key": "data/in/orders-2.csv"}})
    assert first["run_id"] == again["run_id"] != other["run_id"]
    assert first["run_id"].startswith("loads-")


def test_a_run_request_written_under_config_runs_is_read_and_validated(workflow):
    workflow.put_manifest_parquet()
    bucket = workflow.settings.config_bucket
    workflow.s3.put_object(
        Bucket=bucket,
        Key="config/runs/events-x.json",
        Body=json.dumps({"bundle": "events", "run_date": DAY}).encode(),
    )
    workflow.s3.put_object(Bucket=bucket, Key="config/runs/bad.json", Body=b'{"bundle": "events"}')
    result, _ = plan_of(workflow, {"run_request": {"bucket": bucket, "key": "config/runs/events-x.json"}})
    assert result["run_id"].startswith(f"events-{DAY}-")
    with pytest.raises(InvalidRequest, match="config/runs/bad.json"):
        plan_of(workflow, {"run_request": {"bucket": bucket, "key": "config/runs/bad.json"}})


def test_a_date_without_parquet_fails_naming_the_prefix_and_records_nothing(workflow):
    with pytest.raises(SourcesMissing, match="date_prefix=2026-01-01/"):
        plan_of(workflow, {"bundle": "events", "date_prefix": "2026-01-01"})
    assert list(workflow.runtime.runs.scan()) == []


def test_an_undeployed_bundle_is_named(workflow):
    with pytest.raises(BundleNotDeployed, match="bundle 'orders' is not deployed"):
        plan_of(workflow, {"bundle": "orders", "date_prefix": DAY})


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"bundle": "events"}, "exactly one of"),
        ({"bundle": "events", "date_prefix": DAY, "sources": ["s3://b/k"]}, "exactly one of"),
        ({"bundle": "events", "date_prefix": "27.11.2026"}, "date_prefix must be YYYY-MM-DD"),
        ({"bundle": "events", "manifest_ids": ["m-1"]}, "manifest_ids must be intake manifest ids"),
        ({"bundle": "events", "sources": ["/tmp/x"]}, "sources: not an s3://bucket/key URI"),
        ({"loads": [{"id": "a"}]}, r"loads\[0\] lacks source_uris, format, target_table, upsert_keys"),
        ({"date_prefix": DAY}, "bundle is required"),
    ],
)
def test_an_invalid_input_is_refused_naming_the_field(event, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_request(event)
