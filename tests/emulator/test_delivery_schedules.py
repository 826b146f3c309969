"""EventBridge schedules, fired by the live platform: moto stores rules and targets but fires no schedule."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from local_aws.delivery.events import Targets
from local_aws.delivery.schedules import CronError, CronExpression, Schedules

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:manifest-builder"


class RecordedFunctions:
    def __init__(self, clock):
        self.clock = clock
        self.invocations = []

    def configuration(self, function_name):
        return {"FunctionName": function_name}

    def invoke(self, function_name, event):
        self.invocations.append((self.clock(), function_name, event))


@pytest.fixture
def events_client(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


def test_a_rate_schedule_invokes_its_lambda_target_every_period_divided_by_the_speedup(events_client):
    now = [0.0]
    functions = RecordedFunctions(lambda: now[0])
    events = events_client("events")
    rule_arn = events.put_rule(Name="sweep", ScheduleExpression="rate(5 minutes)", State="ENABLED")["RuleArn"]
    events.put_targets(Rule="sweep", Targets=[{"Id": "builder", "Arn": FUNCTION_ARN}])
    schedules = Schedules(events_client, Targets(events_client, functions), 60, lambda: now[0])
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


def test_a_cron_schedule_fires_at_the_minutes_it_names_in_utc(events_client):
    wall = [datetime(2026, 11, 30, 8, 58, 30, tzinfo=UTC)]
    functions = RecordedFunctions(lambda: wall[0])
    events = events_client("events")
    events.put_rule(Name="nightly", ScheduleExpression="cron(0/30 9-10 ? * MON-FRI *)", State="ENABLED")
    events.put_targets(Rule="nightly", Targets=[{"Id": "builder", "Arn": FUNCTION_ARN, "Input": '{"a": 1}'}])
    schedules = Schedules(events_client, Targets(events_client, functions), utcnow=lambda: wall[0])
    while wall[0] < datetime(2026, 11, 30, 11, 5, tzinfo=UTC):
        schedules.deliver_due()
        wall[0] += timedelta(seconds=20)

    assert [(at.strftime("%H:%M"), event) for at, _, event in functions.invocations] == [
        ("09:00", {"a": 1}),
        ("09:30", {"a": 1}),
        ("10:00", {"a": 1}),
        ("10:30", {"a": 1}),
    ]


def test_a_schedule_delivers_to_an_sqs_target_too(events_client):
    sqs = events_client("sqs")
    queue_url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = events_client("events")
    events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)", State="ENABLED")
    events.put_targets(Rule="tick", Targets=[{"Id": "queue", "Arn": queue_arn}])
    now = [0.0]
    schedules = Schedules(
        events_client, Targets(events_client, RecordedFunctions(lambda: 0)), 1, lambda: now[0]
    )
    schedules.deliver_due()
    now[0] = 60.0
    schedules.deliver_due()

    (message,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["detail-type"] == "Scheduled Event"


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2026-11-30T12:00", "2026-12-01T12:00"),
        ("cron(15 10 ? * 6L 2026-2027)", "2026-11-30T00:00", "2026-12-25T10:15"),  # last Friday
        ("cron(0 9 ? * 3#2 *)", "2026-11-30T00:00", "2026-12-08T09:00"),  # second Tuesday
        ("cron(0 8 LW * ? *)", "2026-12-01T00:00", "2026-12-31T08:00"),  # last weekday
        ("cron(0 0 1W * ? *)", "2026-07-31T00:00", "2026-08-03T00:00"),  # 1 Aug is a Saturday
        ("cron(0 0 15W * ? *)", "2026-11-01T00:00", "2026-11-16T00:00"),  # 15 Nov is a Sunday
        ("cron(0 0 L FEB ? 2028)", "2027-06-01T00:00", "2028-02-29T00:00"),
        ("cron(0 18 ? * L *)", "2026-11-30T00:00", "2026-12-05T18:00"),  # L alone: Saturday
        ("cron(*/20 * ? JAN,JUL SUN *)", "2026-11-30T00:00", "2027-01-03T00:00"),
        ("cron(0 0 1 1 ? 2025)", "2026-01-01T00:00", None),
    ],
)
def test_a_cron_expression_names_its_next_minute(expression, after, expected):
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)

    found = CronExpression.parse(expression).next_after(moment)

    assert (found.strftime("%Y-%m-%dT%H:%M") if found else None) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 12 * * * *)",  # neither day field is ?
        "cron(0 12 ? * ? *)",  # both are
        "cron(0 12 * * ?)",  # five fields
        "cron(60 12 * * ? *)",
        "cron(0 12 ? * 2#6 *)",
        "cron(0 12 ? * FOO *)",
        "cron(0 20-10 * * ? *)",
    ],
)
def test_a_cron_expression_eventbridge_refuses_is_refused(expression):
    with pytest.raises(CronError):
        CronExpression.parse(expression)
