"""EventBridge schedules, fired by the live platform: moto stores rules and targets but fires no schedule."""

import boto3
from moto import mock_aws

from local_aws.delivery.schedules import Schedules

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:manifest-builder"


class RecordedFunctions:
    def __init__(self, clock):
        self.clock = clock
        self.invocations = []

    def invoke(self, function_name, event):
        self.invocations.append((self.clock(), function_name, event))


def test_a_rate_schedule_invokes_its_lambda_target_every_period_divided_by_the_speedup(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    now = [0.0]
    functions = RecordedFunctions(lambda: now[0])
    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        rule_arn = events.put_rule(Name="sweep", ScheduleExpression="rate(5 minutes)", State="ENABLED")[
            "RuleArn"
        ]
        events.put_targets(Rule="sweep", Targets=[{"Id": "builder", "Arn": FUNCTION_ARN}])
        schedules = Schedules(
            lambda service: boto3.client(service, region_name="us-east-1"), functions, 60, lambda: now[0]
        )
        for second in range(12):
            now[0] = float(second)
            schedules.deliver_due()

    assert [(at, name) for at, name, _ in functions.invocations] == [
        (5.0, "manifest-builder"),
        (10.0, "manifest-builder"),
    ]
    event = functions.invocations[0][2]
    assert (event["source"], event["detail-type"], event["resources"]) == (
        "aws.events",
        "Scheduled Event",
        [rule_arn],
    )
