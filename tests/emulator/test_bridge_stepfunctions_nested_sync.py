"""`states:startExecution.sync:2` tasks start a nested execution and end as it ends, as on AWS."""

import json
import time

import pytest
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)

from local_aws.bridges import stepfunctions

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/state-machine"


def _machines(sfn, name: str, child_states: dict) -> str:
    child = sfn.create_state_machine(
        name=f"{name}-child", roleArn=ROLE, definition=json.dumps({"StartAt": "Work", "States": child_states})
    )["stateMachineArn"]
    parent = {
        "StartAt": "Nested",
        "States": {
            "Nested": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"value.$": "$.value"}},
                "ResultSelector": {"status.$": "$.Status", "output.$": "$.Output"},
                "End": True,
            }
        },
    }
    return sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(parent))["stateMachineArn"]


def _run(sfn, state_machine_arn: str, timeout: float = 20) -> dict:
    arn = sfn.start_execution(stateMachineArn=state_machine_arn, input=json.dumps({"value": 41}))[
        "executionArn"
    ]
    deadline = time.monotonic() + timeout
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return execution


def test_the_nested_execution_gets_the_input_and_the_state_its_output(local_aws, unique_name):
    sfn = local_aws.client("stepfunctions")
    parent = _machines(
        sfn,
        unique_name,
        {"Work": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.value, 41)"}, "End": True}},
    )

    execution = _run(sfn, parent)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"status": "SUCCEEDED", "output": {"doubled": 82}}


def test_a_failed_nested_execution_fails_the_task_with_its_error_in_the_cause(local_aws, unique_name):
    sfn = local_aws.client("stepfunctions")
    parent = _machines(
        sfn, unique_name, {"Work": {"Type": "Fail", "Error": "LoadFailed", "Cause": "bad rows"}}
    )

    execution = _run(sfn, parent)

    assert (execution["status"], execution["error"]) == ("FAILED", "States.TaskFailed")
    cause = json.loads(execution["cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "LoadFailed", "bad rows")


def test_moto_without_the_bridge_still_fails_every_nested_start(in_process_moto, monkeypatch):
    monkeypatch.setattr(
        StateTaskServiceSfn, "_normalise_parameters", stepfunctions._moto_sfn_normalise_parameters
    )
    sfn = in_process_moto("stepfunctions")
    parent = _machines(sfn, "unbridged", {"Work": {"Type": "Succeed"}})

    execution = _run(sfn, parent)

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Runtime")
    assert execution["cause"].endswith("'StateMachineArn'")
