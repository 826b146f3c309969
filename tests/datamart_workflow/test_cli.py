"""platform-ops datamart: run (and --dry-run), status, runs, replay, against the emulator."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from build_processing_plan.service import build
from datamart_workflow.requests import parse_request
from platform_ops.cli import main

from .conftest import DAY

PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


@pytest.fixture
def deployed(workflow, local_aws):
    """The BuildProcessingPlan function as deployed (only its environment matters) and a state machine."""
    settings = workflow.settings
    name = settings.runs_table.removesuffix("-runs")
    machine = local_aws.client("stepfunctions").create_state_machine(
        name=f"{name}-load", definition=PASS_MACHINE, roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def lambda_handler(event, context):\n    return event\n")
    role = local_aws.client("iam").create_role(RoleName=f"{name}-plan", AssumeRolePolicyDocument="{}")[
        "Role"
    ]["Arn"]
    environment = {
        "CONFIG_BUCKET": settings.config_bucket,
        "RUNS_TABLE": settings.runs_table,
        "INTAKE_BUCKET": settings.intake_bucket,
        "STATE_MACHINE_ARN": machine,
    }
    local_aws.client("lambda").create_function(
        FunctionName=f"{name}-plan",
        Runtime="python3.12",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": environment},
    )
    return {"function": f"{name}-plan", "machine": machine}


def cli(deployed, capsys, *arguments: str) -> tuple[int, str]:
    code = main(["datamart", "--function-name", deployed["function"], *arguments])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def started_inputs(local_aws, machine: str) -> list[dict]:
    sfn = local_aws.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    return [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]


def test_run_starts_the_workflow_for_the_bundle_and_date(workflow, deployed, local_aws, capsys):
    workflow.put_manifest_parquet()
    code, out = cli(deployed, capsys, "run", "--bundle", "events", "--date", DAY)
    assert code == 0 and out.startswith(f"run events-{DAY}-")
    assert started_inputs(local_aws, deployed["machine"]) == [{"bundle": "events", "date_prefix": DAY}]


def test_a_dry_run_prints_the_plan_and_starts_and_records_nothing(workflow, deployed, local_aws, capsys):
    workflow.put_manifest_parquet()
    code, out = cli(deployed, capsys, "run", "--bundle", "events", "--date", DAY, "--dry-run")
    printed = json.loads(out)
    assert code == 0 and printed["dry_run"] is True
    assert [step["id"] for step in printed["plan"]["steps"]][:2] == ["schemas", "stg-tables"]
    assert started_inputs(local_aws, deployed["machine"]) == []
    assert list(workflow.runtime.runs.scan()) == []


def test_a_date_without_parquet_is_refused_naming_it(workflow, deployed, capsys):
    code, out = cli(deployed, capsys, "run", "--bundle", "events", "--date", "2026-01-01")
    assert code == 1
    assert "date_prefix=2026-01-01/" in out


def test_status_and_runs_show_the_recorded_runs(workflow, deployed, capsys):
    workflow.put_manifest_parquet()
    run = build(parse_request({"bundle": "events", "date_prefix": DAY}), workflow.runtime)
    code, out = cli(deployed, capsys, "status", run["run_id"])
    assert code == 0 and json.loads(out)["status"] == "planned"
    code, out = cli(deployed, capsys, "runs")
    assert code == 0 and out.startswith(f"{run['run_id']}  planned")


def test_replay_starts_the_recorded_run_again(workflow, deployed, local_aws, capsys):
    workflow.put_manifest_parquet()
    run = build(parse_request({"bundle": "events", "date_prefix": DAY}), workflow.runtime)
    code, out = cli(deployed, capsys, "replay", run["run_id"])
    assert code == 0 and out.startswith(f"run {run['run_id']} replayed")
    assert started_inputs(local_aws, deployed["machine"]) == [{"replay": run["run_id"]}]


def test_replay_of_an_unknown_run_exits_1_naming_it(workflow, deployed, capsys):
    code, out = cli(deployed, capsys, "replay", "events-nothing")
    assert (code, out.strip()) == (1, "platform-ops: no datamart run 'events-nothing'")
