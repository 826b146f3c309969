"""The deployed state machine executing in the emulator's interpreter, with Glue runs that succeed or fail.

Each execution gets the input the manifest builder sends; the Glue job's work is done by a runner the
emulator calls for each job run (a stand-in here: the real job has its own tests).
"""

import json
import threading
import time
import uuid

import pytest

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

DATE_PREFIX = "2026-01-15"


class GlueFailure(RuntimeError):
    """What the stand-in job raises, as the real job does on too many malformed lines."""


def track_manifest(local_aws, stack) -> tuple[str, str]:
    """A manifest tracked as the manifest builder tracks it: (manifest_id, manifest_path)."""
    manifest_id = f"{DATE_PREFIX}-{uuid.uuid4().hex[:12]}"
    local_aws.client("dynamodb").put_item(
        TableName=stack["tracking_table_name"],
        Item={
            "date_prefix": {"S": DATE_PREFIX},
            "file_key": {"S": f"MANIFEST#{manifest_id}"},
            "status": {"S": "manifested"},
            "file_count": {"N": "2"},
        },
    )
    return (
        manifest_id,
        f"s3://{stack['bucket_names']['manifests']}/manifests/{DATE_PREFIX}/{manifest_id}.json",
    )


def start_execution(local_aws, stack, manifest_id: str, manifest_path: str, state_machine_arn=None) -> str:
    """The manifest's execution, started with the manifest builder's input (by default in the deployed
    state machine); its ARN."""
    return local_aws.client("stepfunctions").start_execution(
        stateMachineArn=state_machine_arn or stack["state_machine_arn"],
        name=manifest_id,
        input=json.dumps(
            {
                "manifest_path": manifest_path,
                "manifest_id": manifest_id,
                "date_prefix": DATE_PREFIX,
                "file_count": 2,
                "timestamp": "2026-01-15T10:00:00Z",
            }
        ),
    )["executionArn"]


def wait_for(local_aws, execution_arn: str, timeout_seconds: float = 90) -> dict:
    stepfunctions = local_aws.client("stepfunctions")
    deadline = time.monotonic() + timeout_seconds
    while (execution := stepfunctions.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"execution still running after {timeout_seconds} s"
        time.sleep(0.5)
    return execution


def start_manifest(local_aws, stack, runner, state_machine_arn=None) -> dict:
    """Tracks a manifest and runs its execution to its end, `runner` doing the Glue runs."""
    manifest_id, manifest_path = track_manifest(local_aws, stack)
    # The emulator is the session's: another suite's runner is put back afterwards.
    previous_runner, local_aws.glue_runner = local_aws.glue_runner, runner
    try:
        arn = start_execution(local_aws, stack, manifest_id, manifest_path, state_machine_arn)
        execution = wait_for(local_aws, arn)
    finally:
        local_aws.glue_runner = previous_runner
    item = local_aws.client("dynamodb").get_item(
        TableName=stack["tracking_table_name"],
        Key={"date_prefix": {"S": DATE_PREFIX}, "file_key": {"S": f"MANIFEST#{manifest_id}"}},
    )["Item"]
    return {"execution": execution, "item": item, "manifest_path": manifest_path}


@pytest.fixture(scope="module")
def stack(dev_deployment):
    return dev_deployment.outputs


@pytest.fixture(scope="module")
def alert_inbox(local_aws, stack):
    return subscribed_inbox(local_aws, stack)


def subscribed_inbox(local_aws, stack) -> str:
    """An SQS queue subscribed to the alerts topic, as an operator's subscription would be."""
    sqs = local_aws.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"alert-inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    local_aws.client("sns").subscribe(TopicArn=stack["alerts_topic_arn"], Protocol="sqs", Endpoint=queue_arn)
    return queue_url


def notifications_naming(local_aws, inbox: str, manifest_id: str) -> list[dict]:
    """Every notification the inbox received that names the manifest, whatever sent it."""
    sqs, received, wait = local_aws.client("sqs"), [], 5
    while messages := sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get(
        "Messages", []
    ):
        received += [json.loads(message["Body"]) for message in messages if manifest_id in message["Body"]]
        wait = 1
    return received


@pytest.fixture(scope="module")
def succeeded(local_aws, stack):
    runs = []
    outcome = start_manifest(local_aws, stack, lambda job_name, arguments: runs.append((job_name, arguments)))
    return {**outcome, "runs": runs}


@pytest.fixture(scope="module")
def failed(local_aws, stack, alert_inbox):
    runs = []

    def failing_job(job_name, arguments):
        runs.append((job_name, arguments))
        raise GlueFailure("reject ratio 0.25 above MAX_REJECT_RATIO 0.01")

    outcome = start_manifest(local_aws, stack, failing_job)
    notifications = notifications_naming(local_aws, alert_inbox, outcome["execution"]["name"])
    return {**outcome, "runs": runs, "notifications": notifications}


def test_successful_glue_run_completes_the_execution(succeeded):
    assert succeeded["execution"]["status"] == "SUCCEEDED"


def test_successful_glue_run_marks_the_manifest_completed(succeeded):
    item = succeeded["item"]
    assert item["status"] == {"S": "completed"}
    assert item["glue_job_run_id"]["S"]
    assert item["execution_arn"] == {"S": succeeded["execution"]["executionArn"]}


def test_glue_run_gets_the_manifest_path_and_the_job_defaults(succeeded, stack):
    ((job_name, arguments),) = succeeded["runs"]
    assert job_name == stack["glue_job_name"]
    assert arguments["--MANIFEST_PATH"] == succeeded["manifest_path"]
    assert arguments["--OUTPUT_BUCKET"] == stack["bucket_names"]["output"]
    assert arguments["--MANIFEST_BUCKET"] == stack["bucket_names"]["manifests"]


def test_failed_glue_run_fails_the_execution(failed):
    assert failed["execution"]["status"] == "FAILED"


def test_failed_glue_run_is_retried_twice_before_the_failure_path(failed):
    assert len(failed["runs"]) == 3


def test_failed_glue_run_marks_the_manifest_failed_with_the_job_error(failed):
    item = failed["item"]
    assert item["status"] == {"S": "failed"}
    assert item["error"]["S"]
    assert "reject ratio 0.25" in item["error_cause"]["S"]


def test_a_failed_manifest_sends_exactly_one_notification(failed):
    (notification,) = failed["notifications"]
    assert notification["Subject"] == "NDJSON intake: manifest processing failed"


def test_failed_glue_run_publishes_one_alert_naming_the_manifest_error_and_replay(failed):
    manifest_id = failed["execution"]["name"]
    (notification,) = failed["notifications"]
    alert = json.loads(notification["Message"])
    assert alert["manifest_id"] == manifest_id
    assert "reject ratio 0.25" in alert["error"]["Cause"]
    assert (
        alert["replay"] == f"once the cause is fixed: platform-ops intake replay --manifest-id {manifest_id}"
    )


def test_an_execution_for_an_untracked_manifest_fails_with_one_alert_and_writes_no_item(
    local_aws, stack, alert_inbox
):
    # Started by hand with a mistyped id: updating a manifest item that does not exist would create one
    # that lacks everything the builder writes.
    manifest_id = f"{DATE_PREFIX}-{uuid.uuid4().hex[:12]}"
    path = f"s3://{stack['bucket_names']['manifests']}/manifests/{DATE_PREFIX}/{manifest_id}.json"

    execution = wait_for(local_aws, start_execution(local_aws, stack, manifest_id, path))

    assert execution["status"] == "FAILED"
    assert "Item" not in local_aws.client("dynamodb").get_item(
        TableName=stack["tracking_table_name"],
        Key={"date_prefix": {"S": DATE_PREFIX}, "file_key": {"S": f"MANIFEST#{manifest_id}"}},
    )
    assert len(notifications_naming(local_aws, alert_inbox, manifest_id)) == 1


def test_a_backlog_beyond_the_jobs_concurrency_completes_without_manual_action(local_aws, stack):
    """50 manifests at once against MaxConcurrentRuns = 2 (dev): refused starts wait and retry until done."""
    running, most_at_once, lock = [0], [0], threading.Lock()

    def job(job_name, arguments):
        with lock:
            running[0] += 1
            most_at_once[0] = max(most_at_once[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1

    previous_runner, local_aws.glue_runner = local_aws.glue_runner, job
    try:
        arns = [start_execution(local_aws, stack, *track_manifest(local_aws, stack)) for _ in range(50)]
        executions = [wait_for(local_aws, arn, timeout_seconds=300) for arn in arns]
    finally:
        local_aws.glue_runner = previous_runner

    assert [execution["status"] for execution in executions] == ["SUCCEEDED"] * 50
    assert most_at_once[0] == 2


@pytest.fixture(scope="module")
def completed_with_a_bad_file(local_aws, stack):
    """A manifest of two good files and a bad one: the job quarantines the bad one and records it, as the
    real job's `ndjson_parquet.outcomes` does."""
    from ndjson_parquet.job import FileOutcome, JobStats
    from ndjson_parquet.outcomes import record

    dynamodb = local_aws.client("dynamodb")
    bucket = stack["bucket_names"]["input"]
    files = [f"s3://{bucket}/incoming/{DATE_PREFIX}/{name}.ndjson" for name in ("a", "bad", "c")]
    reason = "bad_content: 3 of 4 lines rejected (ratio 0.7500 > MAX_REJECT_RATIO 0.01)"

    def job(job_name, arguments):
        manifest_id = arguments["--MANIFEST_PATH"].rsplit("/", 1)[1].removesuffix(".json")
        for uri in files:
            dynamodb.put_item(
                TableName=stack["tracking_table_name"],
                Item={
                    "date_prefix": {"S": DATE_PREFIX},
                    "file_key": {"S": uri},
                    "status": {"S": "manifested"},
                    "manifest_id": {"S": manifest_id},
                },
            )
        outcomes = [FileOutcome(files[0], 2, 2, 0), FileOutcome(files[1], 4, 0, 3, reason)]
        outcomes.append(FileOutcome(files[2], 1, 1, 0))
        stats = JobStats(manifest_id, DATE_PREFIX, 3, 99, 7, 3, 3, 1, "s3://o/p", "s3://o/r", files=outcomes)
        record(arguments["--TRACKING_TABLE"], stats, dynamodb)

    inbox = subscribed_inbox(local_aws, stack)
    outcome = start_manifest(local_aws, stack, job)
    return {**outcome, "files": files, "reason": reason, "inbox": inbox}


def test_a_manifest_with_one_quarantined_file_completes(completed_with_a_bad_file):
    assert completed_with_a_bad_file["execution"]["status"] == "SUCCEEDED"
    item = completed_with_a_bad_file["item"]
    assert item["status"] == {"S": "completed"}
    assert item["records_written"] == {"N": "3"}


def test_a_manifest_with_one_quarantined_file_sends_one_alert_naming_it(completed_with_a_bad_file, local_aws):
    messages = (
        local_aws.client("sqs")
        .receive_message(
            QueueUrl=completed_with_a_bad_file["inbox"], MaxNumberOfMessages=10, WaitTimeSeconds=5
        )
        .get("Messages", [])
    )
    manifest_id = completed_with_a_bad_file["execution"]["name"]
    alerts = [json.loads(message["Body"]) for message in messages]
    mine = [alert for alert in alerts if manifest_id in alert["Message"]]
    (alert,) = mine
    assert alert["Subject"] == "NDJSON intake: files quarantined"
    body = json.loads(alert["Message"])
    bad = completed_with_a_bad_file["files"][1]
    assert body["quarantined_files"] == [f"{bad}: {completed_with_a_bad_file['reason']}"]
    assert "platform-ops intake readmit FILE" in body["what_to_do"]


@pytest.fixture(scope="module")
def failed_unreported(local_aws, stack):
    """A failing manifest in a copy of the deployed state machine whose alerts topic does not exist: the
    failure alert cannot be sent."""
    stepfunctions = local_aws.client("stepfunctions")
    deployed = stepfunctions.describe_state_machine(stateMachineArn=stack["state_machine_arn"])
    copy_arn = stepfunctions.create_state_machine(
        name=f"alert-topic-gone-{uuid.uuid4().hex[:8]}",
        definition=deployed["definition"].replace(
            stack["alerts_topic_arn"], f"{stack['alerts_topic_arn']}-gone"
        ),
        roleArn=deployed["roleArn"],
    )["stateMachineArn"]

    def failing_job(job_name, arguments):
        raise GlueFailure("reject ratio 0.25 above MAX_REJECT_RATIO 0.01")

    return start_manifest(local_aws, stack, failing_job, state_machine_arn=copy_arn)


def unreported_failures(local_aws) -> float:
    """The intake's UnreportedFailures count over the last hour (the session's emulator)."""
    now = time.time()
    datapoints = local_aws.client("cloudwatch").get_metric_statistics(
        Namespace="ndjson-intake-dev",
        MetricName="UnreportedFailures",
        Dimensions=[{"Name": "pipeline", "Value": "intake"}],
        StartTime=now - 3600,
        EndTime=now + 60,
        Period=3600,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(datapoint["Sum"] for datapoint in datapoints)


def test_a_failure_whose_alert_cannot_be_sent_is_counted_as_unreported(failed_unreported, local_aws):
    assert unreported_failures(local_aws) == 1


def test_a_failure_whose_alert_cannot_be_sent_still_fails_the_execution_and_marks_the_manifest(
    failed_unreported,
):
    execution = failed_unreported["execution"]
    assert (execution["status"], execution["error"]) == ("FAILED", "ManifestProcessingFailed")
    assert "its alert could not be sent" in execution["cause"]
    assert failed_unreported["item"]["status"] == {"S": "failed"}
