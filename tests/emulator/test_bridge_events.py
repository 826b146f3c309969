"""A bucket's EventBridge notification reaches a rule's state machine target, with the transformed input."""

import json
import time

import pytest

pytestmark = pytest.mark.emulator

PASS = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/events"


def test_an_object_created_under_a_prefix_starts_the_rules_state_machine(local_aws, unique_name):
    s3, events, sfn = (local_aws.client(name) for name in ("s3", "events", "stepfunctions"))
    s3.create_bucket(Bucket=unique_name)
    s3.put_bucket_notification_configuration(
        Bucket=unique_name, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    machine = sfn.create_state_machine(name=unique_name, definition=PASS, roleArn=ROLE)["stateMachineArn"]
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [unique_name]}, "object": {"key": [{"prefix": "config/runs/"}]}},
    }
    events.put_rule(Name=unique_name, EventPattern=json.dumps(pattern))
    transformer = {
        "InputPathsMap": {"bucket": "$.detail.bucket.name", "key": "$.detail.object.key"},
        "InputTemplate": '{"run_request": {"bucket": <bucket>, "key": <key>}}',
    }
    events.put_targets(
        Rule=unique_name,
        Targets=[{"Id": "t", "Arn": machine, "RoleArn": ROLE, "InputTransformer": transformer}],
    )

    s3.put_object(Bucket=unique_name, Key="config/runs/events-2026-11-27.json", Body=b"{}")
    s3.put_object(Bucket=unique_name, Key="config/config.json", Body=b"{}")

    deadline = time.monotonic() + 10
    while not (executions := sfn.list_executions(stateMachineArn=machine)["executions"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]
    assert inputs == [{"run_request": {"bucket": unique_name, "key": "config/runs/events-2026-11-27.json"}}]


def test_a_schedule_rule_and_an_unsupported_target_do_not_stop_the_event(local_aws, unique_name):
    s3, events, sfn = (local_aws.client(name) for name in ("s3", "events", "stepfunctions"))
    s3.create_bucket(Bucket=unique_name)
    s3.put_bucket_notification_configuration(
        Bucket=unique_name, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    topic = local_aws.client("sns").create_topic(Name=unique_name)["TopicArn"]
    events.put_rule(Name=f"{unique_name}-0-schedule", ScheduleExpression="rate(5 minutes)")
    events.put_targets(Rule=f"{unique_name}-0-schedule", Targets=[{"Id": "t", "Arn": topic}])
    events.put_rule(Name=f"{unique_name}-1-topic", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_targets(Rule=f"{unique_name}-1-topic", Targets=[{"Id": "t", "Arn": topic}])
    machine = sfn.create_state_machine(name=unique_name, definition=PASS, roleArn=ROLE)["stateMachineArn"]
    events.put_rule(Name=f"{unique_name}-2-machine", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_targets(
        Rule=f"{unique_name}-2-machine", Targets=[{"Id": "t", "Arn": machine, "RoleArn": ROLE}]
    )

    s3.put_object(Bucket=unique_name, Key="a.json", Body=b"{}")

    deadline = time.monotonic() + 10
    while not sfn.list_executions(stateMachineArn=machine)["executions"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
