"""The datamart load in the environments' plans: bundles by content, triggers, network, database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datamart_workflow import bundles

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

ROOT = "module.ndjson_intake"
BUNDLE = Path(__file__).resolve().parents[2] / "config" / "bundles" / "events"
FUNCTIONS = ("build-processing-plan", "check-results", "finalize-pipeline", "handle-failure")


def resource(plan_tools, plan, address: str) -> dict:
    return plan_tools.created(plan)[f"{ROOT}.{address}"]


def test_terraform_deploys_the_bundle_under_the_version_the_workflow_computes(dev_plan, plan_tools):
    version = bundles.version(bundles.read_folder(BUNDLE))
    pointer = resource(plan_tools, dev_plan, 'aws_s3_object.datamart_bundle_pointer["events"]')
    assert json.loads(pointer["content"]) == {"bundle": "events", "version": version}
    files = {
        address: values["key"]
        for address, values in plan_tools.created(dev_plan).items()
        if ".datamart_bundle_file[" in address
    }
    assert sorted(files.values()) == sorted(
        f"bundles/events/{version}/{path}" for path in bundles.read_folder(BUNDLE)
    )


def test_the_functions_reaching_postgresql_are_in_the_vpc_and_the_planner_is_not(dev_plan, plan_tools):
    placed = {
        key: resource(plan_tools, dev_plan, f'module.datamart_function["{key}"].aws_lambda_function.this')[
            "vpc_config"
        ]
        for key in FUNCTIONS
    }
    assert placed.pop("build-processing-plan") == []
    assert {key: config[0]["subnet_ids"] for key, config in placed.items()} == {
        key: ["subnet-0a4e1c9d2b7f63815", "subnet-0c6b2d8e3a9f41726"] for key in placed
    }


def test_the_glue_job_runs_in_the_network_connection_with_the_secret(dev_plan, plan_tools):
    job = resource(plan_tools, dev_plan, 'module.datamart_glue_job["this"].aws_glue_job.this')
    assert job["connections"] == ["ndjson-intake-dev-datamart"]
    assert job["default_arguments"]["--DATAMART_SECRET_ARN"].startswith("arn:aws:secretsmanager:us-east-1:")


def test_a_completed_intake_manifest_starts_the_bundle_with_its_manifest_id(dev_plan, plan_tools):
    target = resource(plan_tools, dev_plan, 'aws_cloudwatch_event_target.datamart["dm-after-intake"]')
    transformer = target["input_transformer"][0]
    assert transformer["input_paths"] == {"manifest_id": "$.detail.name"}
    assert transformer["input_template"] == '{"bundle": "events", "manifest_ids": [<manifest_id>]}'


def test_a_run_request_under_config_runs_starts_a_run(dev_plan, plan_tools):
    rule = resource(plan_tools, dev_plan, 'aws_cloudwatch_event_rule.datamart["dm-run-requests"]')
    assert json.loads(rule["event_pattern"])["detail"]["object"] == {"key": [{"prefix": "config/runs/"}]}
    assert resource(plan_tools, dev_plan, 'aws_s3_bucket_notification.config["this"]')["eventbridge"] is True


def test_prod_creates_its_database_and_a_secret_whose_password_is_not_in_the_plan(prod_plan, plan_tools):
    cluster = resource(plan_tools, prod_plan, 'aws_rds_cluster.datamart["this"]')
    assert (cluster["engine"], cluster["master_password"], cluster["master_password_wo_version"]) == (
        "aurora-postgresql",
        None,
        1,
    )
    version = resource(plan_tools, prod_plan, 'aws_secretsmanager_secret_version.datamart["this"]')
    assert version["secret_string"] is None and version["secret_string_wo"] is None
