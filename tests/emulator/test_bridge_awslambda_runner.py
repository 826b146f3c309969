"""Lambda invocations, and a state machine's lambda:invoke tasks, done by the starting process's runner."""

import json
import time

import pytest

pytestmark = pytest.mark.emulator


@pytest.fixture
def function_runner(local_aws):
    calls = []

    def runner(function_name, event):
        calls.append((function_name, event))
        if event.get("fail"):
            raise LookupError(f"no such thing: {event['fail']}")
        return {"doubled": event["n"] * 2}

    local_aws.function_runner = runner
    yield calls
    local_aws.function_runner = None


def test_an_invocation_returns_what_the_runner_returns(
    local_aws, create_function, function_runner, unique_name
):
    create_function()
    answer = local_aws.client("lambda").invoke(FunctionName=unique_name, Payload=json.dumps({"n": 21}))
    assert (json.load(answer["Payload"]), "FunctionError" in answer) == ({"doubled": 42}, False)
    assert function_runner == [(unique_name, {"n": 21})]


def test_what_the_runner_raises_is_the_invocations_unhandled_error(
    local_aws, create_function, function_runner, unique_name
):
    create_function()
    answer = local_aws.client("lambda").invoke(FunctionName=unique_name, Payload=json.dumps({"fail": "x"}))
    assert answer["FunctionError"] == "Unhandled"
    assert json.load(answer["Payload"]) == {"errorType": "LookupError", "errorMessage": "no such thing: x"}


def test_a_state_machine_task_gets_the_result_and_catches_the_error_by_its_type(
    local_aws, create_function, function_runner, unique_name
):
    function_arn = create_function()["FunctionArn"]
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                "ResultSelector": {"doubled.$": "$.Payload.doubled"},
                "Catch": [{"ErrorEquals": ["LookupError"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    sfn = local_aws.client("stepfunctions")
    role = f"arn:aws:iam::123456789012:role/{unique_name}"
    machine = sfn.create_state_machine(name=unique_name, definition=json.dumps(definition), roleArn=role)
    outputs = []
    for payload in ({"n": 4}, {"fail": "y"}):
        execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(payload))
        deadline = time.monotonic() + 20
        while (described := sfn.describe_execution(executionArn=execution["executionArn"]))[
            "status"
        ] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        outputs.append((described["status"], json.loads(described["output"])))
    assert outputs[0] == ("SUCCEEDED", {"doubled": 8})
    assert outputs[1][0] == "SUCCEEDED"
    assert outputs[1][1]["error"]["Error"] == "LookupError"
    assert json.loads(outputs[1][1]["error"]["Cause"])["errorMessage"] == "no such thing: y"
