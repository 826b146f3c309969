"""The routing state machine's last step: every load succeeded, the file is archived under the day; one
failed, the file goes to data/failed/ with an alert naming the job and its error."""

from datetime import UTC, datetime

import pytest
from file_router import handler
from file_router.events import InvalidEvent

from .conftest import BUCKET, object_created


def test_after_every_load_succeeded_the_file_moves_to_the_archive_under_the_routing_day(account, invoke):
    routed = invoke(account.land("data/in/partner/customers.csv"))

    result = invoke(account.settle_request(routed["execution"]))

    day = datetime.now(UTC).strftime("%Y/%m/%d")
    assert result == {
        "status": "archived",
        "moved_to": f"data/archive/{day}/partner/customers.csv",
        "failed_jobs": [],
    }
    assert account.keys("data/") == [f"data/archive/{day}/partner/customers.csv"]
    assert account.decision("data/in/partner/customers.csv")["status"]["S"] == "archived"
    assert account.notices() == []


def test_when_a_load_fails_the_file_goes_to_failed_with_an_alert_naming_the_job_and_error(account, invoke):
    routed = invoke(account.land("data/in/orders.csv"))

    result = invoke(
        account.settle_request(
            routed["execution"], {"JOB002": ("States.TaskFailed", "upsert key order_id missing")}
        )
    )

    assert result == {"status": "failed", "moved_to": "data/failed/orders.csv", "failed_jobs": ["JOB002"]}
    assert account.keys("data/") == ["data/failed/orders.csv"]
    decision = account.decision("data/in/orders.csv")
    assert decision["status"]["S"] == "failed"
    assert "upsert key order_id missing" in decision["error"]["S"]
    (alert,) = account.notices()
    assert alert["subject"] == "Routed file failed: orders.csv"
    assert alert["failed_jobs"] == [
        {"job_id": "JOB002", "error": "States.TaskFailed", "cause": "upsert key order_id missing"}
    ]


def test_a_settle_retried_after_the_move_finishes_without_a_second_move(account, invoke):
    routed = invoke(account.land("data/in/customers.csv"))
    request = account.settle_request(routed["execution"])
    first = invoke(request)

    again = invoke(request)

    assert again == first
    assert len(account.keys("data/")) == 1


def test_replaying_a_failed_file_routes_it_as_a_new_object(account, invoke):
    routed = invoke(account.land("data/in/orders.csv"))
    invoke(account.settle_request(routed["execution"], {"JOB002": ("Load", "boom")}))
    account.s3.copy_object(
        Bucket=BUCKET,
        Key="data/in/orders.csv",
        CopySource={"Bucket": BUCKET, "Key": "data/failed/orders.csv"},
    )
    head = account.s3.head_object(Bucket=BUCKET, Key="data/in/orders.csv")

    replayed = invoke(object_created("data/in/orders.csv", head["ContentLength"], head["ETag"].strip('"')))

    assert replayed["status"] == "triggered"
    assert replayed["execution"] != routed["execution"]


def test_a_settle_request_without_the_file_is_refused(account, invoke):
    handler._router.cache_clear()
    with pytest.raises(InvalidEvent, match="settle.file"):
        invoke({"settle": {"results": []}})
