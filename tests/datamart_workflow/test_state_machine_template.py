"""asl/datamart_load.asl.json.tftpl rendered as Terraform renders it: the states, their order and catches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from handle_failure.failure import STATES

TEMPLATE = Path(__file__).resolve().parents[2] / "asl" / "datamart_load.asl.json.tftpl"
VALUES = {
    "build_processing_plan_arn": "arn:aws:lambda:eu-west-1:123456789012:function:dm-build-processing-plan",
    "check_results_arn": "arn:aws:lambda:eu-west-1:123456789012:function:dm-check-results",
    "finalize_pipeline_arn": "arn:aws:lambda:eu-west-1:123456789012:function:dm-finalize-pipeline",
    "handle_failure_arn": "arn:aws:lambda:eu-west-1:123456789012:function:dm-handle-failure",
    "glue_job_name": "dm-datamart-load",
    "concurrency_retry.interval_seconds": 60,
    "concurrency_retry.max_delay_seconds": 900,
    "concurrency_retry.max_attempts": 40,
    "bundle_lock_retry.interval_seconds": 5,
    "bundle_lock_retry.max_delay_seconds": 60,
    "bundle_lock_retry.max_attempts": 600,
}
TASKS = ["BuildProcessingPlan", "RunLoad", "CheckResults", "FinalizePipeline"]


@pytest.fixture(scope="module")
def states() -> dict:
    # templatefile's ${name} interpolation; `$.` and `$$.` are JSONPath, not template syntax.
    rendered = re.sub(r"\$\{([a-z_.]+)\}", lambda match: str(VALUES[match[1]]), TEMPLATE.read_text())
    definition = json.loads(rendered)
    assert definition["StartAt"] == "BuildProcessingPlan"
    return definition["States"]


def test_the_happy_path_plans_loads_checks_then_finalizes(states):
    assert [states[name].get("Next") for name in TASKS] == [
        "RunLoad",
        "CheckResults",
        "FinalizePipeline",
        None,
    ]
    assert states["FinalizePipeline"]["End"] is True


@pytest.mark.parametrize("name", TASKS)
def test_every_state_is_caught_into_handle_failure_with_its_error(states, name):
    assert states[name]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleFailure"}
    ]


def test_handle_failure_ends_in_fail_even_when_it_fails_itself(states):
    assert states["HandleFailure"]["Next"] == "Fail"
    assert states["HandleFailure"]["Catch"][0]["Next"] == "Fail"
    assert states["Fail"]["Type"] == "Fail"


def test_each_state_leaves_its_result_where_handle_failure_looks_for_it(states):
    assert [(name, states[name]["ResultPath"]) for name in TASKS] == [
        (name, f"$.{path}") for name, path in STATES
    ]


def test_the_load_runs_the_glue_job_synchronously_with_the_plan(states):
    task = states["RunLoad"]
    assert task["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert task["Parameters"] == {
        "JobName": "dm-datamart-load",
        "Arguments": {"--PLAN_PATH.$": "$.run.plan_uri"},
    }


def test_a_busy_glue_job_is_retried_with_a_long_jittered_backoff_and_nothing_else_is(states):
    (retry,) = states["RunLoad"]["Retry"]
    assert retry["ErrorEquals"] == ["Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException"]
    assert (retry["IntervalSeconds"], retry["MaxDelaySeconds"], retry["MaxAttempts"]) == (60, 900, 40)
    assert retry["JitterStrategy"] == "FULL"


@pytest.mark.parametrize("name", ["BuildProcessingPlan", "CheckResults", "FinalizePipeline", "HandleFailure"])
def test_the_functions_are_invoked_by_arn_and_retried_on_lambdas_transient_errors(states, name):
    task = states[name]
    assert task["Resource"] == "arn:aws:states:::lambda:invoke"
    assert task["Parameters"]["FunctionName"] in VALUES.values()
    assert "Lambda.TooManyRequestsException" in task["Retry"][0]["ErrorEquals"]
    assert "States.ALL" not in task["Retry"][0]["ErrorEquals"]


def test_handle_failure_receives_the_whole_state_with_the_execution(states):
    assert states["HandleFailure"]["Parameters"]["Payload"] == {
        "state.$": "$",
        "execution.$": "$$.Execution.Id",
        "input.$": "$$.Execution.Input",
    }


def test_a_run_whose_bundle_is_busy_waits_on_the_bundle_locks_own_short_backoff(states):
    (retry,) = [r for r in states["BuildProcessingPlan"]["Retry"] if r["ErrorEquals"] == ["BundleBusy"]]
    assert (retry["IntervalSeconds"], retry["MaxDelaySeconds"], retry["MaxAttempts"]) == (5, 60, 600)
    assert retry["JitterStrategy"] == "FULL"
