import json

import pytest
from manifest_builder.events import EventFormatError, is_scheduled_sweep, parse_sqs_record


@pytest.mark.parametrize(
    "key",
    [
        "incoming/daily report 2024-03-10.ndjson",
        "incoming/100% done 2024-03-10.ndjson",
        "incoming/c++ a+b 2024-03-10.ndjson",
        "incoming/données 東京 2024-03-10.ndjson",
        "incoming/colon:and=equals 2024-03-10.ndjson",
    ],
)
def test_notification_keys_are_url_decoded(key, events):
    record = events.record(events.notification("input", key, 10, "etag-1"))

    (obj,) = parse_sqs_record(record).objects

    assert obj.key == key
    assert obj.uri == f"s3://input/{key}"


def test_an_eventbridge_object_created_event_keeps_its_key_as_sent(events):
    body = {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": "input"},
            "object": {"key": "raw/a+b 2024-03-10T14:03:40.ndjson", "size": 42, "etag": "abc"},
        },
    }

    (obj,) = parse_sqs_record(events.record(body)).objects

    assert (obj.bucket, obj.key, obj.size_bytes, obj.etag) == (
        "input",
        "raw/a+b 2024-03-10T14:03:40.ndjson",
        42,
        "abc",
    )


def test_the_s3_test_event_yields_no_objects(events):
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "input", "RequestId": "r"}

    assert parse_sqs_record(events.record(body)).objects == ()


def test_events_other_than_object_created_are_ignored(events):
    body = events.notification("input", "a.ndjson", 1, "e")
    body["Records"][0]["eventName"] = "ObjectRemoved:Delete"

    assert parse_sqs_record(events.record(body)).objects == ()


@pytest.mark.parametrize("body", ["not json", json.dumps([1, 2]), json.dumps({"hello": "world"})])
def test_an_unreadable_body_is_an_error_naming_the_message(body, events):
    record = events.record(body)

    with pytest.raises(EventFormatError, match=record["messageId"]):
        parse_sqs_record(record)


def test_a_notification_without_its_bucket_is_an_error(events):
    body = events.notification("input", "a.ndjson", 1, "e")
    del body["Records"][0]["s3"]["bucket"]

    with pytest.raises(EventFormatError, match="bucket"):
        parse_sqs_record(events.record(body))


def test_a_scheduled_eventbridge_event_is_a_sweep_and_an_sqs_batch_is_not(events):
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}

    assert is_scheduled_sweep(scheduled)
    assert not is_scheduled_sweep({"Records": []})
