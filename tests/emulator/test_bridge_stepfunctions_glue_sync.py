"""`glue:startJobRun.sync` tasks run in moto's interpreter and end as the Glue job run ends."""

import json
import time

import pytest
from manifest_builder.tracking import table_definition
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
    StateTaskServiceGlue,
)

from local_aws.bridges import stepfunctions

pytestmark = pytest.mark.emulator

ROLE_ARN = "arn:aws:iam::123456789012:role/state-machine"
DATE_PREFIX = "2026-01-01"


def _pipeline_definition(table_name: str, job_name: str, topic_arn: str) -> str:
    """The project's state machine's shape: status update, Glue .sync, status update; alert on failure."""

    def set_status(status: str, next_state: str | None) -> dict:
        state = {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {
                "TableName": table_name,
                "Key": {"date_prefix": {"S.$": "$.date_prefix"}, "file_key": {"S.$": "$.manifest_id"}},
                "UpdateExpression": "SET #status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":status": {"S": status}},
            },
            "ResultPath": None,
        }
        state.update({"Next": next_state} if next_state else {"End": True})
        return state

    return json.dumps(
        {
            "StartAt": "UpdateStatusProcessing",
            "States": {
                "UpdateStatusProcessing": set_status("processing", "StartGlueJob"),
                "StartGlueJob": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {
                        "JobName": job_name,
                        "Arguments": {"--MANIFEST_PATH.$": "$.manifest_path"},
                    },
                    "ResultPath": "$.glue",
                    "Catch": [
                        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "UpdateStatusFailed"}
                    ],
                    "Next": "UpdateStatusCompleted",
                },
                "UpdateStatusCompleted": set_status("completed", None),
                "UpdateStatusFailed": set_status("failed", "SendFailureAlert"),
                "SendFailureAlert": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": topic_arn, "Message.$": "$.error.Cause"},
                    "ResultPath": None,
                    "Next": "Fail",
                },
                "Fail": {"Type": "Fail", "Error": "GlueJobFailed"},
            },
        }
    )


@pytest.fixture
def pipeline(local_aws, glue_job, unique_name):
    """Tracking table, alerts topic with a subscribed queue, and the state machine; their handles."""
    dynamodb = local_aws.client("dynamodb")
    dynamodb.create_table(**table_definition(unique_name))
    topic_arn = local_aws.client("sns").create_topic(Name=unique_name)["TopicArn"]
    sqs = local_aws.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique_name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    local_aws.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    state_machine_arn = local_aws.client("stepfunctions").create_state_machine(
        name=unique_name, definition=_pipeline_definition(unique_name, glue_job, topic_arn), roleArn=ROLE_ARN
    )["stateMachineArn"]
    return {"table": unique_name, "queue_url": queue_url, "state_machine_arn": state_machine_arn}


def _run_to_end(sfn, state_machine_arn: str, execution_input: dict, timeout: float = 20.0) -> dict:
    execution_arn = sfn.start_execution(stateMachineArn=state_machine_arn, input=json.dumps(execution_input))[
        "executionArn"
    ]
    deadline = time.monotonic() + timeout
    while (execution := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"execution still RUNNING after {timeout} s"
        time.sleep(0.1)
    return execution


def _manifest_status(local_aws, table: str, manifest_id: str) -> str:
    key = {"date_prefix": {"S": DATE_PREFIX}, "file_key": {"S": manifest_id}}
    return local_aws.client("dynamodb").get_item(TableName=table, Key=key)["Item"]["status"]["S"]


def _failed_task_details(sfn, execution_arn: str) -> list[dict]:
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    return [event["taskFailedEventDetails"] for event in events if event["type"] == "TaskFailed"]


EXECUTION_INPUT = {
    "manifest_path": "s3://manifests/m-1.json",
    "manifest_id": "MANIFEST#m-1",
    "date_prefix": DATE_PREFIX,
}


def test_moto_without_the_bridge_still_fails_every_glue_sync_task(in_process_moto, monkeypatch):
    monkeypatch.setattr(
        StateTaskServiceGlue, "_eval_integration_pattern", stepfunctions._moto_eval_integration_pattern
    )
    in_process_moto("glue").create_job(
        Name="job", Role=ROLE_ARN, Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/job.py"}
    )
    sfn = in_process_moto("stepfunctions")
    state_machine_arn = sfn.create_state_machine(
        name="glue-only",
        definition=json.dumps(
            {
                "StartAt": "StartGlueJob",
                "States": {
                    "StartGlueJob": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::glue:startJobRun.sync",
                        "Parameters": {"JobName": "job"},
                        "End": True,
                    }
                },
            }
        ),
        roleArn=ROLE_ARN,
    )["stateMachineArn"]

    execution = _run_to_end(sfn, state_machine_arn, {})

    assert execution["status"] == "FAILED"
    assert _failed_task_details(sfn, execution["executionArn"])[0] == {
        "error": "States.Runtime",
        "cause": "'NoneType' object has no attribute 'interrupt_all'",
    }


def test_execution_succeeds_when_the_glue_runner_succeeds(local_aws, pipeline, use_glue_runner):
    manifests_run = []
    use_glue_runner(lambda job_name, arguments: manifests_run.append(arguments["--MANIFEST_PATH"]))

    execution = _run_to_end(local_aws.client("stepfunctions"), pipeline["state_machine_arn"], EXECUTION_INPUT)

    assert execution["status"] == "SUCCEEDED"
    assert manifests_run == ["s3://manifests/m-1.json"]
    assert _manifest_status(local_aws, pipeline["table"], "MANIFEST#m-1") == "completed"


def test_glue_result_in_the_output_is_the_finished_job_run_with_epoch_millisecond_times(
    local_aws, pipeline, use_glue_runner
):
    use_glue_runner(lambda job_name, arguments: None)

    glue_result = json.loads(
        _run_to_end(local_aws.client("stepfunctions"), pipeline["state_machine_arn"], EXECUTION_INPUT)[
            "output"
        ]
    )["glue"]

    assert glue_result["JobRunState"] == "SUCCEEDED"
    assert glue_result["Id"].startswith("jr_")
    assert isinstance(glue_result["StartedOn"], int)
    assert glue_result["CompletedOn"] >= glue_result["StartedOn"]


def test_failing_glue_runner_fails_the_execution_through_catch_and_alerts(
    local_aws, pipeline, use_glue_runner
):
    def failing_runner(job_name, arguments):
        raise RuntimeError("12 of 100 lines rejected, above MAX_REJECT_RATIO 0.01")

    use_glue_runner(failing_runner)

    execution = _run_to_end(local_aws.client("stepfunctions"), pipeline["state_machine_arn"], EXECUTION_INPUT)

    assert execution["status"] == "FAILED"
    assert execution["error"] == "GlueJobFailed"
    assert _manifest_status(local_aws, pipeline["table"], "MANIFEST#m-1") == "failed"
    glue_failure = _failed_task_details(local_aws.client("stepfunctions"), execution["executionArn"])[0]
    assert glue_failure["error"] == "States.TaskFailed"
    assert (
        json.loads(glue_failure["cause"])["ErrorMessage"]
        == "12 of 100 lines rejected, above MAX_REJECT_RATIO 0.01"
    )
    messages = local_aws.client("sqs").receive_message(QueueUrl=pipeline["queue_url"], WaitTimeSeconds=2)[
        "Messages"
    ]
    alert = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert alert["JobRunState"] == "FAILED"
    assert alert["ErrorMessage"] == "12 of 100 lines rejected, above MAX_REJECT_RATIO 0.01"
