"""Execution status changes delivered to EventBridge rules: matching state machine targets started once."""

import json
import time

import pytest

from local_aws.delivery.events import ExecutionEvents, target_input

pytestmark = pytest.mark.emulator

PASS = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/sfn"


def _finished(sfn, arn: str) -> dict:
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return described


def test_an_ended_execution_starts_each_matching_rules_state_machine_once_with_its_transformed_input(
    local_aws, unique_name
):
    sfn, events = local_aws.client("stepfunctions"), local_aws.client("events")
    source = sfn.create_state_machine(name=f"{unique_name}-a", definition=PASS, roleArn=ROLE)[
        "stateMachineArn"
    ]
    target = sfn.create_state_machine(name=f"{unique_name}-b", definition=PASS, roleArn=ROLE)[
        "stateMachineArn"
    ]
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"stateMachineArn": [source], "status": ["SUCCEEDED"]},
    }
    events.put_rule(Name=unique_name, EventPattern=json.dumps(pattern))
    transformer = {"InputPathsMap": {"name": "$.detail.name"}, "InputTemplate": '{"ids": [<name>]}'}
    events.put_targets(
        Rule=unique_name,
        Targets=[{"Id": "t", "Arn": target, "RoleArn": ROLE, "InputTransformer": transformer}],
    )
    _finished(sfn, sfn.start_execution(stateMachineArn=source, name="manifest-1")["executionArn"])
    delivery = ExecutionEvents(local_aws.client)

    delivery.deliver_ended()
    delivery.deliver_ended()

    started = sfn.list_executions(stateMachineArn=target)["executions"]
    assert [json.loads(_finished(sfn, e["executionArn"])["input"]) for e in started] == [
        {"ids": ["manifest-1"]}
    ]


def test_a_target_without_transformer_gets_its_input_or_the_event():
    event = {"detail": {"name": "x"}}
    assert target_input({"Input": '{"a": 1}'}, event) == '{"a": 1}'
    assert json.loads(target_input({}, event)) == event
