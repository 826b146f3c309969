"""EventBridge on the emulator: the events that reach a bus (PutEvents, and those S3, Glue and Step Functions
emit, shaped as AWS shapes them) are delivered to the targets of the bus's matching rules, with retries and
dead-letter queues, by the live platform's delivery (delivery/events.py)."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from local_aws.bridges import events as events_bridge
from local_aws.bridges import s3 as s3_bridge
from local_aws.delivery.events import EventDelivery, Targets

pytestmark = pytest.mark.emulator

ROLE_ARN = "arn:aws:iam::123456789012:role/events"


class RecordedFunctions:
    """Lambda for these tests: a function is found in the emulator, and each invocation is recorded."""

    def __init__(self, local_aws, refuse_with=None, fail_with=None):
        self.local_aws = local_aws
        self.refuse_with = refuse_with
        self.fail_with = fail_with
        self.invocations = []

    def configuration(self, function_name):
        if self.refuse_with is not None:
            raise self.refuse_with
        return self.local_aws.client("lambda").get_function_configuration(FunctionName=function_name)

    def invoke(self, function_name, event):
        self.invocations.append((function_name, event))
        if self.fail_with is not None:
            raise self.fail_with


@pytest.fixture
def functions(local_aws):
    return RecordedFunctions(local_aws)


@pytest.fixture
def delivery(local_aws, functions):
    """Delivers the events that reach a bus from now on; retries after 10 ms, doubling."""
    return EventDelivery(local_aws.client, Targets(local_aws.client, functions, retry_seconds=0.01))


@pytest.fixture
def queue(local_aws, unique_name):
    """Makes a queue: `queue(suffix)` gives (url, arn)."""
    sqs = local_aws.client("sqs")

    def make(suffix):
        url = sqs.create_queue(QueueName=f"{unique_name}-{suffix}"[:80])["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    return make


def _messages(local_aws, queue_url):
    sqs = local_aws.client("sqs")
    messages = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        messages.extend(batch)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch],
        )
    return messages


def _events(local_aws, queue_url):
    return [json.loads(m["Body"]) for m in _messages(local_aws, queue_url)]


def _rule(local_aws, name, pattern, *targets):
    events = local_aws.client("events")
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=name, Targets=[{"Id": str(i), **target} for i, target in enumerate(targets)])
    return events.describe_rule(Name=name)["Arn"]


@pytest.fixture
def notifying_bucket(local_aws, unique_name):
    """A bucket whose notification configuration has EventBridge on (`eventbridge = true` in Terraform)."""
    s3 = local_aws.client("s3")
    bucket = unique_name.lower()[:63]
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    return bucket


def _s3_events(local_aws, delivery, bucket, queue):
    """Every S3 event of the bucket, through a rule on its name into a queue."""
    url, arn = queue("s3-events")
    _rule(
        local_aws,
        f"{bucket}-all",
        {"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}},
        {"Arn": arn},
    )
    return lambda: (delivery.drain(), _events(local_aws, url))[1]


def test_an_object_put_under_a_rule_s_prefix_reaches_its_sqs_and_lambda_targets(
    local_aws, delivery, functions, notifying_bucket, queue, create_function, unique_name
):
    function_arn = create_function()["FunctionArn"]
    url, arn = queue("router")
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [notifying_bucket]}, "object": {"key": [{"prefix": "data/in/"}]}},
    }
    _rule(local_aws, unique_name, pattern, {"Arn": arn}, {"Arn": function_arn})
    s3 = local_aws.client("s3")

    s3.put_object(Bucket=notifying_bucket, Key="data/in/orders.csv", Body=b"id\n1\n")
    s3.put_object(Bucket=notifying_bucket, Key="data/other/orders.csv", Body=b"id\n1\n")
    delivery.drain()

    (queued,) = _events(local_aws, url)
    ((invoked_name, invoked_event),) = functions.invocations
    assert queued["detail"]["object"]["key"] == "data/in/orders.csv"
    assert (invoked_name, invoked_event) == (unique_name, queued)


def test_s3_sends_object_created_to_eventbridge_as_aws_shapes_it(
    local_aws, delivery, notifying_bucket, queue
):
    s3 = local_aws.client("s3")
    s3.put_bucket_versioning(Bucket=notifying_bucket, VersioningConfiguration={"Status": "Enabled"})
    read_events = _s3_events(local_aws, delivery, notifying_bucket, queue)

    put = s3.put_object(Bucket=notifying_bucket, Key="incoming/a b.ndjson", Body=b'{"id": 1}\n')

    (event,) = read_events()
    assert {k: event[k] for k in ("version", "detail-type", "source", "account", "region", "resources")} == {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{notifying_bucket}"],
    }
    assert time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
    detail = event["detail"]
    assert {k: v for k, v in detail.items() if k not in ("request-id", "object")} == {
        "version": "0",
        "bucket": {"name": notifying_bucket},
        "requester": "123456789012",
        "source-ip-address": "127.0.0.1",
        "reason": "PutObject",
    }
    assert {k: v for k, v in detail["object"].items() if k != "sequencer"} == {
        "key": "incoming/a b.ndjson",
        "size": 10,
        "etag": put["ETag"].strip('"'),
        "version-id": put["VersionId"],
    }
    assert len(detail["object"]["sequencer"]) == 16 and detail["request-id"]


def test_copies_and_multipart_uploads_are_object_created_with_their_api_as_reason(
    local_aws, delivery, notifying_bucket, queue
):
    s3 = local_aws.client("s3")
    read_events = _s3_events(local_aws, delivery, notifying_bucket, queue)
    s3.put_object(Bucket=notifying_bucket, Key="a.csv", Body=b"x")

    s3.copy_object(
        Bucket=notifying_bucket, Key="b.csv", CopySource={"Bucket": notifying_bucket, "Key": "a.csv"}
    )
    upload = s3.create_multipart_upload(Bucket=notifying_bucket, Key="c.csv")["UploadId"]
    part = s3.upload_part(Bucket=notifying_bucket, Key="c.csv", UploadId=upload, PartNumber=1, Body=b"y" * 10)
    s3.complete_multipart_upload(
        Bucket=notifying_bucket,
        Key="c.csv",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )

    events = read_events()
    assert [(e["detail-type"], e["detail"]["object"]["key"], e["detail"]["reason"]) for e in events] == [
        ("Object Created", "a.csv", "PutObject"),
        ("Object Created", "b.csv", "CopyObject"),
        ("Object Created", "c.csv", "CompleteMultipartUpload"),
    ]
    sequencers = [e["detail"]["object"]["sequencer"] for e in events]
    assert sequencers == sorted(sequencers)


def test_deletes_are_object_deleted_with_their_deletion_type(local_aws, delivery, notifying_bucket, queue):
    s3 = local_aws.client("s3")
    read_events = _s3_events(local_aws, delivery, notifying_bucket, queue)
    gone = s3.put_object(Bucket=notifying_bucket, Key="gone.csv", Body=b"x")
    batch = s3.put_object(Bucket=notifying_bucket, Key="batch.csv", Body=b"yy")

    s3.delete_object(Bucket=notifying_bucket, Key="gone.csv")
    s3.delete_objects(Bucket=notifying_bucket, Delete={"Objects": [{"Key": "batch.csv"}]})
    s3.put_bucket_versioning(Bucket=notifying_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=notifying_bucket, Key="kept.csv", Body=b"x")
    marker = s3.delete_object(Bucket=notifying_bucket, Key="kept.csv")

    deleted = [e["detail"] for e in read_events() if e["detail-type"] == "Object Deleted"]
    for detail in deleted:
        del detail["object"]["sequencer"]
    assert [(d["object"], d["reason"], d["deletion-type"]) for d in deleted] == [
        ({"key": "gone.csv", "etag": gone["ETag"].strip('"')}, "DeleteObject", "Permanently Deleted"),
        ({"key": "batch.csv", "etag": batch["ETag"].strip('"')}, "DeleteObject", "Permanently Deleted"),
        (
            {
                "key": "kept.csv",
                "etag": "d41d8cd98f00b204e9800998ecf8427e",
                "version-id": marker["VersionId"],
            },
            "DeleteObject",
            "Delete Marker Created",
        ),
    ]


def test_a_bucket_without_eventbridge_notifications_sends_no_event(local_aws, delivery, queue, unique_name):
    s3 = local_aws.client("s3")
    bucket = unique_name.lower()[:63]
    s3.create_bucket(Bucket=bucket)
    read_events = _s3_events(local_aws, delivery, bucket, queue)

    s3.put_object(Bucket=bucket, Key="a.csv", Body=b"x")

    assert read_events() == []


def test_put_events_reaches_a_rule_s_sns_and_state_machine_targets_with_their_input(
    local_aws, delivery, queue, unique_name
):
    sns, stepfunctions = local_aws.client("sns"), local_aws.client("stepfunctions")
    topic_arn = sns.create_topic(Name=unique_name)["TopicArn"]
    subscriber_url, subscriber_arn = queue("subscriber")
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=subscriber_arn)
    machine_arn = stepfunctions.create_state_machine(
        name=unique_name,
        roleArn=ROLE_ARN,
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    rule_arn = _rule(
        local_aws,
        unique_name,
        {"source": [unique_name]},
        {
            "Arn": topic_arn,
            "InputTransformer": {
                "InputPathsMap": {"file": "$.detail.file"},
                "InputTemplate": '"File <file> arrived (<aws.events.rule-arn>)"',
            },
        },
        {"Arn": machine_arn, "InputPath": "$.detail"},
    )

    answer = local_aws.client("events").put_events(
        Entries=[
            {"Source": unique_name, "DetailType": "File Arrived", "Detail": json.dumps({"file": "a.csv"})}
        ]
    )
    delivery.drain()

    assert answer["FailedEntryCount"] == 0
    (notification,) = [json.loads(m["Body"])["Message"] for m in _messages(local_aws, subscriber_url)]
    assert notification == f'"File a.csv arrived ({rule_arn})"'
    (execution,) = stepfunctions.list_executions(stateMachineArn=machine_arn)["executions"]
    assert json.loads(stepfunctions.describe_execution(executionArn=execution["executionArn"])["input"]) == {
        "file": "a.csv"
    }


def test_a_disabled_rule_delivers_nothing(local_aws, delivery, queue, unique_name):
    url, arn = queue("disabled")
    _rule(local_aws, unique_name, {"source": [unique_name]}, {"Arn": arn})
    local_aws.client("events").disable_rule(Name=unique_name)

    local_aws.client("events").put_events(
        Entries=[{"Source": unique_name, "DetailType": "x", "Detail": "{}"}]
    )
    delivery.drain()

    assert _events(local_aws, url) == []


def test_a_target_whose_function_does_not_exist_goes_to_its_dead_letter_queue_without_retries(
    local_aws, delivery, functions, queue, unique_name
):
    dlq_url, dlq_arn = queue("dlq")
    missing = f"arn:aws:lambda:us-east-1:123456789012:function:{unique_name}-missing"
    rule_arn = _rule(
        local_aws,
        unique_name,
        {"source": [unique_name]},
        {"Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn}},
    )

    local_aws.client("events").put_events(
        Entries=[{"Source": unique_name, "DetailType": "x", "Detail": "{}"}]
    )
    delivery.drain()

    (message,) = _messages(local_aws, dlq_url)
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert json.loads(message["Body"])["source"] == unique_name
    assert {k: v for k, v in attributes.items() if k != "ERROR_MESSAGE"} == {
        "RULE_ARN": rule_arn,
        "TARGET_ARN": missing,
        "ERROR_CODE": "NO_RESOURCE",
        "RETRY_ATTEMPTS": "0",
    }
    assert "Function not found" in attributes["ERROR_MESSAGE"]
    assert functions.invocations == []


def _throttled():
    return ClientError(
        {
            "Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 429},
        },
        "Invoke",
    )


def test_a_lambda_target_that_keeps_refusing_is_retried_per_its_retry_policy_then_dead_lettered(
    local_aws, queue, unique_name, create_function
):
    functions = RecordedFunctions(local_aws, refuse_with=_throttled())
    attempts = []
    functions.configuration = lambda name: (
        attempts.append(name),
        RecordedFunctions.configuration(functions, name),
    )
    delivery = EventDelivery(local_aws.client, Targets(local_aws.client, functions, retry_seconds=0.01))
    dlq_url, dlq_arn = queue("dlq")
    function_arn = create_function()["FunctionArn"]
    _rule(
        local_aws,
        unique_name,
        {"source": [unique_name]},
        {
            "Arn": function_arn,
            "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": dlq_arn},
        },
    )

    local_aws.client("events").put_events(
        Entries=[{"Source": unique_name, "DetailType": "x", "Detail": "{}"}]
    )
    delivery.drain()

    (message,) = _messages(local_aws, dlq_url)
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert len(attempts) == 3
    assert (attributes["ERROR_CODE"], attributes["ERROR_MESSAGE"], attributes["RETRY_ATTEMPTS"]) == (
        "THROTTLING",
        "Rate exceeded",
        "2",
    )
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"


def test_a_failing_delivery_is_given_up_once_the_event_is_older_than_its_maximum_age(
    local_aws, queue, unique_name, create_function
):
    now = [0.0]
    dlq_url, dlq_arn = queue("dlq")
    functions = RecordedFunctions(local_aws, refuse_with=_throttled())
    targets = Targets(local_aws.client, functions, retry_seconds=50, clock=lambda: now[0])
    rule = {"Arn": f"arn:aws:events:us-east-1:123456789012:rule/{unique_name}", "Name": unique_name}
    target = {
        "Arn": create_function()["FunctionArn"],
        "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 100},
        "DeadLetterConfig": {"Arn": dlq_arn},
    }

    targets.deliver(rule, [target], {"id": "e-1", "source": unique_name})  # fails at 0 s: retry at 50 s
    now[0] = 50.0
    targets.retry_due()  # fails again: the next retry, at 110 s, would be past the event's 100 s

    (message,) = _messages(local_aws, dlq_url)
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert (
        attributes["ERROR_CODE"],
        attributes["RETRY_ATTEMPTS"],
        attributes["EXHAUSTED_RETRY_CONDITION"],
    ) == (
        "THROTTLING",
        "1",
        "MaximumEventAgeInSeconds",
    )
    assert targets.pending_retries == 0


def test_a_function_that_raises_on_its_event_is_not_an_eventbridge_failure(
    local_aws, queue, unique_name, create_function
):
    functions = RecordedFunctions(local_aws, fail_with=RuntimeError("handler bug"))
    delivery = EventDelivery(local_aws.client, Targets(local_aws.client, functions, retry_seconds=0.01))
    dlq_url, dlq_arn = queue("dlq")
    function_arn = create_function()["FunctionArn"]
    _rule(
        local_aws,
        unique_name,
        {"source": [unique_name]},
        {"Arn": function_arn, "DeadLetterConfig": {"Arn": dlq_arn}},
    )

    local_aws.client("events").put_events(
        Entries=[{"Source": unique_name, "DetailType": "x", "Detail": "{}"}]
    )
    delivery.drain()

    # EventBridge invokes Lambda asynchronously: the invocation was accepted, the error is the function's.
    assert len(functions.invocations) == 1
    assert _messages(local_aws, dlq_url) == []


def test_a_glue_run_that_fails_sends_glue_job_state_change(
    local_aws, delivery, glue_job, use_glue_runner, queue, unique_name
):
    def broken(job_name, arguments):
        raise RuntimeError("input not found")

    use_glue_runner(broken)
    url, arn = queue("glue")
    _rule(local_aws, unique_name, {"source": ["aws.glue"], "detail": {"jobName": [glue_job]}}, {"Arn": arn})
    glue = local_aws.client("glue")

    run_id = glue.start_job_run(JobName=glue_job)["JobRunId"]
    deadline = time.monotonic() + 10
    while glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    delivery.drain()

    (event,) = _events(local_aws, url)
    assert (event["source"], event["detail-type"]) == ("aws.glue", "Glue Job State Change")
    assert event["detail"] == {
        "jobName": glue_job,
        "severity": "ERROR",
        "state": "FAILED",
        "jobRunId": run_id,
        "message": "input not found",
    }


def test_an_execution_that_ends_sends_step_functions_execution_status_change(
    local_aws, delivery, queue, unique_name
):
    stepfunctions = local_aws.client("stepfunctions")
    machine_arn = stepfunctions.create_state_machine(
        name=unique_name,
        roleArn=ROLE_ARN,
        definition=json.dumps(
            {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
        ),
    )["stateMachineArn"]
    url, arn = queue("states")
    _rule(
        local_aws,
        unique_name,
        {"source": ["aws.states"], "detail": {"stateMachineArn": [machine_arn]}},
        {"Arn": arn},
    )

    execution_arn = stepfunctions.start_execution(
        stateMachineArn=machine_arn, name="run-1", input='{"a": 1}'
    )["executionArn"]
    deadline = time.monotonic() + 10
    while stepfunctions.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    delivery.drain()

    (event,) = _events(local_aws, url)
    detail = event["detail"]
    assert (event["detail-type"], event["resources"]) == (
        "Step Functions Execution Status Change",
        [execution_arn],
    )
    assert {
        k: detail[k] for k in ("executionArn", "stateMachineArn", "name", "status", "input", "output")
    } == {
        "executionArn": execution_arn,
        "stateMachineArn": machine_arn,
        "name": "run-1",
        "status": "SUCCEEDED",
        "input": '{"a":1}',
        "output": '{"ok":true}',
    }
    assert detail["startDate"] <= detail["stopDate"]


def test_a_stopped_execution_sends_its_status_change_as_aborted(local_aws, delivery, queue, unique_name):
    stepfunctions = local_aws.client("stepfunctions")
    machine_arn = stepfunctions.create_state_machine(
        name=unique_name,
        roleArn=ROLE_ARN,
        definition=json.dumps(
            {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
        ),
    )["stateMachineArn"]
    url, arn = queue("states")
    _rule(
        local_aws,
        unique_name,
        {"source": ["aws.states"], "detail": {"stateMachineArn": [machine_arn]}},
        {"Arn": arn},
    )
    execution_arn = stepfunctions.start_execution(stateMachineArn=machine_arn)["executionArn"]

    stepfunctions.stop_execution(executionArn=execution_arn, error="Operator", cause="not needed")
    deadline = time.monotonic() + 10
    events = []
    while not events:
        assert time.monotonic() < deadline, "no status change event"
        delivery.drain()
        events = _events(local_aws, url)

    (event,) = events
    assert {k: event["detail"][k] for k in ("executionArn", "status", "output")} == {
        "executionArn": execution_arn,
        "status": "ABORTED",
        "output": None,
    }


def test_moto_alone_fails_put_events_on_a_rule_with_a_lambda_target(in_process_moto, monkeypatch):
    monkeypatch.setattr(events_bridge.EventsBackend, "put_events", events_bridge.moto_put_events)
    events = in_process_moto("events")
    events.put_rule(Name="to-function", EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(
        Rule="to-function", Targets=[{"Id": "f", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}]
    )

    with pytest.raises(ClientError, match="500"):
        events.put_events(Entries=[{"Source": "app", "DetailType": "x", "Detail": "{}"}])


def test_moto_alone_notifies_a_multipart_upload_as_a_put_too(in_process_moto, monkeypatch):
    monkeypatch.setattr(
        s3_bridge.S3Backend, "complete_multipart_upload", s3_bridge._moto_complete_multipart_upload
    )
    s3, sqs = in_process_moto("s3"), in_process_moto("sqs")
    queue_url = sqs.create_queue(QueueName="notified")["QueueUrl"]
    s3.create_bucket(Bucket="multipart")
    s3.put_bucket_notification_configuration(
        Bucket="multipart",
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:notified", "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    upload = s3.create_multipart_upload(Bucket="multipart", Key="c.csv")["UploadId"]
    part = s3.upload_part(Bucket="multipart", Key="c.csv", UploadId=upload, PartNumber=1, Body=b"y")
    s3.complete_multipart_upload(
        Bucket="multipart",
        Key="c.csv",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )

    bodies = [
        json.loads(m["Body"])
        for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    ]
    # The configuration's s3:TestEvent aside
    assert sorted(body["Records"][0]["eventName"] for body in bodies if "Records" in body) == [
        "ObjectCreated:CompleteMultipartUpload",
        "ObjectCreated:Put",
    ]


def test_moto_alone_shapes_s3_events_unlike_aws(in_process_moto, monkeypatch):
    monkeypatch.setattr(
        s3_bridge.notifications, "_send_event_bridge_message", s3_bridge.moto_send_event_bridge_message
    )
    s3, sqs, events = in_process_moto("s3"), in_process_moto("sqs"), in_process_moto("events")
    queue_url = sqs.create_queue(QueueName="s3-events")["QueueUrl"]
    events.put_rule(Name="s3", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_targets(
        Rule="s3", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:s3-events"}]
    )
    s3.create_bucket(Bucket="shaped")
    s3.put_bucket_notification_configuration(
        Bucket="shaped", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )

    s3.put_object(Bucket="shaped", Key="a.csv", Body=b"x")

    (message,) = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    detail = json.loads(message["Body"])["detail"]
    assert (detail["reason"], "eTag" in detail["object"], "etag" in detail["object"]) == (
        "ObjectCreated",
        True,
        False,
    )
