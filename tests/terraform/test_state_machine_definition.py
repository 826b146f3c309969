"""The manifest processing state machine as rendered from asl/ into the dev plan."""

import json

import pytest
from manifest_builder import tracking

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

STATE_MACHINE = "module.ndjson_intake.module.intake_state_machine.aws_sfn_state_machine.this"
TABLE = "ndjson-intake-dev-tracking"
MANIFEST_KEY = {
    "date_prefix": {"S.$": "$.date_prefix"},
    "file_key": {"S.$": "States.Format('MANIFEST#{}', $.manifest_id)"},
}
CATCH_INTO_FAILURE_PATH = {
    "ErrorEquals": ["States.ALL"],
    "ResultPath": "$.error",
    "Next": "UpdateStatusFailed",
}


@pytest.fixture(scope="module")
def states(dev_plan, plan_tools):
    definition = json.loads(plan_tools.created(dev_plan)[STATE_MACHINE]["definition"])
    assert definition["StartAt"] == "UpdateStatusProcessing"
    return definition["States"]


def update_values(state) -> dict:
    return state["Parameters"]["ExpressionAttributeValues"]


def test_happy_path_runs_processing_then_glue_then_completed(states):
    assert states["UpdateStatusProcessing"]["Next"] == "StartGlueJob"
    assert states["StartGlueJob"]["Next"] == "UpdateStatusCompleted"
    assert states["UpdateStatusCompleted"]["Next"] == "AnyFileQuarantined"
    assert states["AnyFileQuarantined"]["Default"] == "Completed"
    assert states["Completed"]["Type"] == "Succeed"


def test_a_manifest_completed_with_quarantined_files_alerts_once_naming_them_then_succeeds(states):
    assert states["UpdateStatusCompleted"]["Parameters"]["ReturnValues"] == "ALL_NEW"
    (choice,) = states["AnyFileQuarantined"]["Choices"]
    assert choice == {
        "Variable": "$.completion.manifest.quarantined_files",
        "IsPresent": True,
        "Next": "SendQuarantineAlert",
    }
    alert = states["SendQuarantineAlert"]
    assert (
        alert["Parameters"]["Message"]["quarantined_files.$"]
        == "$.completion.manifest.quarantined_files.L[*].S"
    )
    assert "platform-ops intake readmit FILE" in alert["Parameters"]["Message"]["what_to_do"]
    # An alert that cannot be sent does not undo the completed manifest.
    assert alert["Catch"][0]["Next"] == alert["Next"] == "Completed"


def test_failure_path_records_the_failure_then_alerts_then_fails(states):
    assert states["UpdateStatusFailed"]["Next"] == "SendFailureAlert"
    # Failed, not succeeded: the datamart load chained after a manifest's success must not run.
    assert states["SendFailureAlert"]["Next"] == "Fail"
    assert states["Fail"]["Type"] == "Fail"


def test_a_failure_alert_is_retried_with_backoff_unless_its_error_cannot_pass(states):
    never, backoff = states["SendFailureAlert"]["Retry"]
    assert never == {
        "ErrorEquals": [
            "SNS.NotFoundException",
            "SNS.AuthorizationErrorException",
            "SNS.InvalidParameterException",
            "SNS.InvalidParameterValueException",
        ],
        "MaxAttempts": 0,
    }
    assert backoff == {
        "ErrorEquals": ["States.ALL"],
        "IntervalSeconds": 2,
        "MaxAttempts": 4,
        "BackoffRate": 2,
        "JitterStrategy": "FULL",
    }


def test_a_failure_whose_alert_cannot_be_sent_is_counted_as_unreported_then_fails(states):
    assert states["SendFailureAlert"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.alert_error", "Next": "RecordUnreportedFailure"}
    ]
    record = states["RecordUnreportedFailure"]
    assert record["Resource"] == "arn:aws:states:::aws-sdk:cloudwatch:putMetricData"
    assert record["Parameters"] == {
        "Namespace": "ndjson-intake-dev",
        "MetricData": [
            {
                "MetricName": "UnreportedFailures",
                "Dimensions": [{"Name": "pipeline", "Value": "intake"}],
                "Value": 1,
                "Unit": "Count",
            }
        ],
    }
    assert record["Next"] == "FailUnreported"
    assert states["FailUnreported"]["Type"] == "Fail"
    assert states["FailUnreported"]["Error"] == states["Fail"]["Error"]


def test_a_failure_neither_alerted_nor_counted_fails_under_the_name_the_event_rule_reports(states):
    assert states["RecordUnreportedFailure"]["Catch"][0]["Next"] == "FailUncounted"
    assert states["FailUncounted"]["Type"] == "Fail"
    assert states["FailUncounted"]["Error"] == "ManifestFailureUnreported" != states["Fail"]["Error"]


@pytest.mark.parametrize("name", ["UpdateStatusProcessing", "StartGlueJob", "UpdateStatusCompleted"])
def test_every_happy_path_task_catches_all_errors_into_the_failure_path(states, name):
    assert states[name]["Catch"] == [CATCH_INTO_FAILURE_PATH]


def test_failure_path_goes_on_even_when_its_own_tasks_fail(states):
    for name in ("UpdateStatusFailed", "SendFailureAlert", "RecordUnreportedFailure"):
        assert [catch["ErrorEquals"] for catch in states[name]["Catch"]] == [["States.ALL"]]
    assert states["UpdateStatusFailed"]["Catch"][0]["Next"] == "SendFailureAlert"


def test_glue_job_runs_synchronously_with_the_manifest_path(states):
    task = states["StartGlueJob"]
    assert task["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert task["Parameters"] == {
        "JobName": "ndjson-intake-dev-ndjson-to-parquet",
        "Arguments": {"--MANIFEST_PATH.$": "$.manifest_path"},
    }


def test_glue_concurrency_and_throttling_are_retried_with_capped_backoff_and_jitter_for_hours(states):
    retry = states["StartGlueJob"]["Retry"][0]
    assert retry == {
        "ErrorEquals": ["Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException"],
        "IntervalSeconds": 60,
        "MaxDelaySeconds": 900,
        "MaxAttempts": 60,
        "BackoffRate": 2,
        "JitterStrategy": "FULL",
    }
    # Without jitter every wait is the capped backoff: the longest a backlog can wait for a run.
    longest = sum(min(60 * 2**attempt, 900) for attempt in range(60))
    assert longest / 3600 > 12


def test_other_glue_errors_are_retried_twice_with_exponential_backoff(states):
    retry = states["StartGlueJob"]["Retry"][1]
    assert retry["ErrorEquals"] == ["States.ALL"]
    assert retry["MaxAttempts"] == 2
    assert retry["BackoffRate"] == 2
    assert retry["IntervalSeconds"] == 30


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("UpdateStatusProcessing", "processing"),
        ("UpdateStatusCompleted", "completed"),
        ("UpdateStatusFailed", "failed"),
    ],
)
def test_status_updates_set_the_manifest_item_status(states, name, status):
    task = states[name]
    assert task["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert task["Parameters"]["TableName"] == TABLE
    assert task["Parameters"]["Key"] == MANIFEST_KEY
    assert update_values(task)[":status"] == {"S": status}


def test_processing_update_records_the_execution(states):
    assert update_values(states["UpdateStatusProcessing"])[":execution_arn"] == {"S.$": "$$.Execution.Id"}


def test_completed_update_records_the_glue_run(states):
    assert update_values(states["UpdateStatusCompleted"])[":run_id"] == {"S.$": "$.glue.job_run_id"}


def test_failed_update_records_error_and_cause(states):
    values = update_values(states["UpdateStatusFailed"])
    assert values[":error"] == {"S.$": "$.error.Error"}
    assert values[":cause"] == {"S.$": "$.error.Cause"}


def test_failure_alert_says_what_failed_and_how_to_replay_it(states):
    task = states["SendFailureAlert"]
    assert task["Resource"] == "arn:aws:states:::sns:publish"
    assert task["Parameters"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:ndjson-intake-dev-alerts"
    message = task["Parameters"]["Message"]
    assert (message["manifest_id.$"], message["error.$"]) == ("$.manifest_id", "$.error")
    assert message["replay.$"] == (
        "States.Format('once the cause is fixed: platform-ops intake replay --manifest-id {}', $.manifest_id)"
    )


def test_statuses_and_key_formats_are_the_tracking_modules_rendered_by_terraform(states):
    # tracking_schema.json is their one definition: the Python code reads it, Terraform renders it here.
    assert states["UpdateStatusProcessing"]["Parameters"]["Key"]["file_key"] == {
        "S.$": f"States.Format('{tracking.MANIFEST_PREFIX}{{}}', $.manifest_id)"
    }
    assert [
        update_values(states[name])[":status"]["S"]
        for name in ("UpdateStatusProcessing", "UpdateStatusCompleted", "UpdateStatusFailed")
    ] == [tracking.PROCESSING, tracking.COMPLETED, tracking.FAILED]
