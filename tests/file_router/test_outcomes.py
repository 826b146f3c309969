"""The outcomes our users' tooling reads from the handler: `{"status": ...}` for every landed file."""

import io
import json

import pytest
from file_router import handler
from file_router.events import InvalidEvent

from .conftest import BUCKET, CONFIG, object_created


def test_a_file_of_an_active_job_starts_one_execution_with_our_users_glue_jobs_input(account, invoke):
    result = invoke(account.land("data/in/customers.csv"))

    assert result["status"] == "triggered"
    (execution,) = account.executions()
    assert execution["name"] == result["execution"]
    (job,) = account.execution_input(result["execution"])["glue_jobs"]
    assert {
        name: job[name] for name in ("job_id", "job_name", "source_file_name", "target_table", "upsert_keys")
    } == {
        "job_id": "JOB001",
        "job_name": "datamart-load",
        "source_file_name": "customers.csv",
        "target_table": "staging.customers",
        "upsert_keys": ["customer_id"],
    }


def test_every_active_job_matching_the_file_is_in_the_one_execution(account, invoke):
    account.put_config(
        [
            *CONFIG,
            {
                "job_id": "JOB009",
                "source_file_name": "customers.csv",
                "target_table": "history.customers",
                "upsert_keys": ["customer_id", "valid_from"],
                "is_active": True,
                "match": "glob",
                "pattern": "customer*.csv",
            },
        ]
    )

    result = invoke(account.land("data/in/customers.csv"))

    assert len(account.executions()) == 1
    jobs = account.execution_input(result["execution"])["glue_jobs"]
    assert [job["job_id"] for job in jobs] == ["JOB001", "JOB009"]


def test_a_job_without_job_name_is_loaded_by_the_datamart_engine_job(account, invoke):
    result = invoke(account.land("data/in/orders.csv"))

    (job,) = account.execution_input(result["execution"])["glue_jobs"]
    assert (job["job_id"], job["job_name"]) == ("JOB002", "datamart-load")


def test_an_unknown_file_is_moved_to_new_files_under_its_path_and_announced(account, invoke):
    result = invoke(account.land("data/in/partner/mystery.csv"))

    assert result == {"status": "not_configured", "moved_to": "data/new_files/partner/mystery.csv"}
    assert account.keys("data/") == ["data/new_files/partner/mystery.csv"]
    (notice,) = account.notices()
    assert notice["subject"] == "New / Not Configured File"
    assert (notice["original_key"], notice["moved_to"]) == (
        "data/in/partner/mystery.csv",
        "data/new_files/partner/mystery.csv",
    )


def test_two_folders_files_of_one_name_never_collide_in_new_files(account, invoke):
    first = invoke(account.land("data/in/north/mystery.csv", b"north"))
    second = invoke(account.land("data/in/south/mystery.csv", b"south"))

    assert first["moved_to"] != second["moved_to"]
    assert account.s3.get_object(Bucket=BUCKET, Key=first["moved_to"])["Body"].read() == b"north"
    assert account.s3.get_object(Bucket=BUCKET, Key=second["moved_to"])["Body"].read() == b"south"


def test_a_file_of_an_inactive_job_stays_where_it_landed_and_is_announced(account, invoke):
    result = invoke(account.land("data/in/products.csv"))

    assert result == {"status": "inactive", "job_id": "JOB003"}
    assert account.keys("data/") == ["data/in/products.csv"]
    assert account.executions() == []
    (notice,) = account.notices()
    assert (notice["subject"], notice["job_id"]) == ("Inactive Job", "JOB003")


def test_the_same_object_delivered_again_while_it_runs_is_already_running(account, invoke):
    event = account.land("data/in/customers.csv")
    first = invoke(event)

    again = invoke(event)

    assert again == {"status": "already_running", "execution": first["execution"]}
    assert len(account.executions()) == 1


def test_the_same_object_delivered_after_its_routing_ended_is_already_processed(account, invoke):
    event = account.land("data/in/customers.csv")
    first = invoke(event)
    invoke(account.settle_request(first["execution"]))

    again = invoke(event)

    assert again == {"status": "already_processed", "execution": first["execution"]}
    assert len(account.executions()) == 1


def test_an_object_whose_execution_ended_without_a_recorded_decision_is_already_processed(
    account, invoke, monkeypatch
):
    """The table write failed after the start (the invocation errored, EventBridge retries)."""
    event = account.land("data/in/customers.csv")
    monkeypatch.setenv("DECISIONS_TABLE", "")
    first = invoke(event)
    account.sfn.stop_execution(executionArn=account.executions()[0]["executionArn"])

    again = invoke(event)

    assert again == {"status": "already_processed", "execution": first["execution"]}
    assert len(account.executions()) == 1


def test_a_new_upload_of_the_same_key_is_a_new_execution(account, invoke):
    first = invoke(account.land("data/in/customers.csv", b"id\n1\n"))
    second = invoke(account.land("data/in/customers.csv", b"id\n2\n"))

    assert second["status"] == "triggered"
    assert first["execution"] != second["execution"]
    assert len(account.executions()) == 2


def test_a_key_outside_the_input_prefix_is_ignored(account, invoke):
    result = invoke(account.land("data/new_files/mystery.csv"))

    assert result == {"status": "ignored"}
    assert account.keys("data/") == ["data/new_files/mystery.csv"]
    assert account.notices() == []


def test_a_blank_step_function_arn_holds_the_decision_and_starts_nothing(account, invoke, monkeypatch):
    monkeypatch.setenv("STEP_FUNCTION_ARN", "")

    result = invoke(account.land("data/in/customers.csv"))

    assert result["status"] == "held"
    assert account.executions() == []
    decision = account.decision("data/in/customers.csv")
    assert decision["status"]["S"] == "held"
    assert '"glue_jobs"' in decision["execution_input"]["S"]


def test_an_event_without_bucket_or_key_is_refused_naming_the_field(account, invoke):
    event = object_created("data/in/customers.csv", 1, "e")
    del event["detail"]["bucket"]["name"]

    with pytest.raises(InvalidEvent, match="detail.bucket.name"):
        invoke(event)


def test_every_decision_is_recorded_with_its_file_version_jobs_execution_and_config(account, invoke):
    event = account.land("data/in/customers.csv")
    result = invoke(event)

    item = account.decision("data/in/customers.csv")

    detail = event["detail"]["object"]
    config_etag = account.s3.head_object(Bucket=BUCKET, Key="config/config.json")["ETag"].strip('"')
    assert {
        name: item[name] for name in ("file", "version", "status", "jobs", "execution", "config_etag")
    } == {
        "file": {"S": f"s3://{BUCKET}/data/in/customers.csv"},
        "version": {"S": f"{detail['etag']}:{detail['sequencer']}"},
        "status": {"S": "triggered"},
        "jobs": {"L": [{"S": "JOB001"}]},
        "execution": {"S": result["execution"]},
        "config_etag": {"S": config_etag},
    }


def test_in_a_versioned_bucket_the_version_id_tells_uploads_apart(account, invoke):
    account.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    event = account.land("data/in/customers.csv")

    invoke(event)

    assert (
        account.decision("data/in/customers.csv")["version"]["S"] == event["detail"]["object"]["version-id"]
    )


def test_the_handler_logs_json_lines_and_publishes_its_counts(account, invoke, capsys):
    handler._router()  # the container's logger is set up at its first invocation
    stream = io.StringIO()
    logs = handler.telemetry.logger.registered_handler
    previous = logs.setStream(stream)
    try:
        invoke(account.land("data/in/customers.csv"))
    finally:
        logs.setStream(previous)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (triggered,) = [line for line in lines if line.get("event") == "file_triggered"]
    assert (triggered["pipeline"], triggered["file_key"]) == ("router", "data/in/customers.csv")
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert metrics[-1]["FilesTriggered"] == [1.0]
    assert (metrics[-1]["pipeline"], metrics[-1]["function"]) == ("router", "file_router")


def test_a_triggered_object_whose_execution_ended_unsettled_is_already_processed(account, invoke):
    event = account.land("data/in/customers.csv")
    first = invoke(event)
    account.sfn.stop_execution(executionArn=account.executions()[0]["executionArn"])

    assert invoke(event) == {"status": "already_processed", "execution": first["execution"]}
