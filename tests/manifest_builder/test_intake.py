"""Registration of files from SQS batches: tracking, duplicates, quarantine, partitions, new versions."""

import logging
from urllib.parse import unquote

import pytest


def test_an_empty_batch_is_a_no_op(stack, events):
    assert stack.builder().handle_sqs_batch(events.batch()["Records"]) == {"batchItemFailures": []}
    assert stack.items(stack.today) == {}


def test_a_valid_file_is_tracked_as_pending_with_its_path_size_and_etag(stack):
    record = stack.upload("in/events-2024-03-10.ndjson", b'{"a": 1}\n')

    stack.builder().handle_sqs_batch([record])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/in/events-2024-03-10.ndjson"]
    assert item["status"] == "pending"
    assert (item["bucket"], item["key"], item["size_bytes"]) == (
        stack.input_bucket,
        "in/events-2024-03-10.ndjson",
        9,
    )
    assert item["etag"] and item["created_at"].startswith("2024-03-10T12:00")


def test_the_same_event_delivered_twice_gives_one_tracking_item(stack):
    record = stack.upload("in/events-2024-03-10.ndjson")
    builder = stack.builder()

    builder.handle_sqs_batch([record])
    builder.handle_sqs_batch([dict(record, messageId="redelivered")])

    assert len(stack.files(stack.today)) == 1
    assert builder.table.counters(stack.today).pending_count == 1


def test_two_messages_for_one_object_in_one_batch_give_one_tracking_item(stack, events):
    record = stack.upload("in/events-2024-03-10.ndjson")
    twin = events.record(record["body"])

    result = stack.builder().handle_sqs_batch([record, twin])

    assert result == {"batchItemFailures": []}
    assert len(stack.files(stack.today)) == 1


@pytest.mark.parametrize(
    "key",
    ["in/a b 2024-03-10.ndjson", "in/100%+more 2024-03-10.ndjson", "in/données 東京 2024-03-10.ndjson"],
)
def test_an_encoded_key_is_tracked_and_read_under_its_real_name(stack, key):
    stack.builder(MAX_FILES_PER_MANIFEST="1").handle_sqs_batch([stack.upload(key)])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/{key}"]
    assert item["key"] == key
    assert item["status"] == "manifested"
    (document,) = stack.manifest_documents()
    assert document["fileLocations"][0]["URIPrefixes"] == [f"s3://{stack.input_bucket}/{key}"]


def test_the_s3_test_event_is_ignored(stack, events):
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.input_bucket}

    assert stack.builder().handle_sqs_batch([events.record(body)]) == {"batchItemFailures": []}
    assert stack.items(stack.today) == {}


def test_an_unreadable_message_fails_alone_and_the_others_are_processed(stack, events):
    bad = events.record("this is not an S3 event")
    good = stack.upload("in/events-2024-03-10.ndjson")

    result = stack.builder().handle_sqs_batch([bad, good])

    assert result == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
    assert len(stack.files(stack.today)) == 1


def test_a_file_with_the_wrong_extension_is_copied_to_quarantine_with_its_reason(stack):
    key = "in/données 2024-03-10.csv"
    stack.builder().handle_sqs_batch([stack.upload(key, b"a,b\n")])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/{key}"]
    assert item["status"] == "quarantined"
    assert item["quarantine_reason"].startswith("invalid_extension")
    copy_key = f"2024-03-10/{stack.input_bucket}/{key}"
    assert item["quarantine_path"] == f"s3://{stack.quarantine_bucket}/{copy_key}"
    copy = stack.clients.s3.get_object(Bucket=stack.quarantine_bucket, Key=copy_key)
    assert copy["Body"].read() == b"a,b\n"
    assert unquote(copy["Metadata"]["original-uri"]) == f"s3://{stack.input_bucket}/{key}"
    assert unquote(copy["Metadata"]["quarantine-reason"]) == item["quarantine_reason"]
    assert copy["Metadata"]["quarantined-at"].startswith("2024-03-10T12:00")


def test_the_original_of_a_quarantined_file_is_kept(stack):
    stack.builder().handle_sqs_batch([stack.upload("in/report-2024-03-10.csv")])

    assert stack.clients.s3.head_object(Bucket=stack.input_bucket, Key="in/report-2024-03-10.csv")


def test_a_zero_byte_file_is_quarantined_as_too_small(stack):
    stack.builder().handle_sqs_batch([stack.upload("in/empty-2024-03-10.ndjson", b"")])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/in/empty-2024-03-10.ndjson"]
    assert (item["status"], item["quarantine_reason"].split(":")[0]) == ("quarantined", "too_small")


def test_a_file_too_large_is_quarantined_in_place_without_a_copy(stack):
    key = "in/huge-2024-03-10.ndjson"
    stack.builder(MAX_FILE_SIZE_BYTES="5").handle_sqs_batch([stack.upload(key, b'{"a": 1}\n')])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/{key}"]
    assert (item["status"], item["quarantine_reason"].split(":")[0]) == ("quarantined", "too_large")
    assert "quarantine_path" not in item
    assert stack.clients.s3.list_objects_v2(Bucket=stack.quarantine_bucket)["KeyCount"] == 0
    assert stack.clients.s3.head_object(Bucket=stack.input_bucket, Key=key)


def test_a_quarantined_file_is_announced_on_the_notices_topic(stack):
    stack.builder().handle_sqs_batch([stack.upload("in/report-2024-03-10.csv")])

    (notice,) = stack.notices()
    assert notice["event"] == "file_quarantined"
    assert notice["file"] == f"s3://{stack.input_bucket}/in/report-2024-03-10.csv"
    assert notice["reason"].startswith("invalid_extension")


def test_without_a_quarantine_bucket_the_copy_is_skipped_with_a_warning(stack, caplog):
    with caplog.at_level(logging.WARNING):
        stack.builder(QUARANTINE_BUCKET="").handle_sqs_batch([stack.upload("in/report-2024-03-10.csv")])

    item = stack.files(stack.today)[f"s3://{stack.input_bucket}/in/report-2024-03-10.csv"]
    assert item["status"] == "quarantined" and "quarantine_path" not in item
    assert "QUARANTINE_BUCKET is blank" in caplog.text
    assert stack.clients.s3.list_objects_v2(Bucket=stack.quarantine_bucket)["KeyCount"] == 0


def test_a_file_without_a_date_is_tracked_under_today_with_a_warning(stack, caplog):
    with caplog.at_level(logging.WARNING):
        stack.builder().handle_sqs_batch([stack.upload("in/events.ndjson")])

    assert f"s3://{stack.input_bucket}/in/events.ndjson" in stack.files(stack.today)
    assert "no YYYY-MM-DD" in caplog.text


def test_a_date_in_the_key_path_is_the_partition(stack):
    stack.builder().handle_sqs_batch([stack.upload("dt=2024-03-08/events.ndjson")])

    assert list(stack.files("2024-03-08")) == [f"s3://{stack.input_bucket}/dt=2024-03-08/events.ndjson"]


def test_a_reupload_before_the_manifest_refreshes_the_pending_item(stack):
    builder = stack.builder()
    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b'{"v": 1}\n')])

    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b'{"v": 2}\n{"v": 3}\n')])

    (item,) = stack.files(stack.today).values()
    assert (item["status"], item["size_bytes"]) == ("pending", 18)
    assert builder.table.counters(stack.today).pending_bytes == 18


def test_a_reupload_after_the_manifest_is_quarantined_as_a_new_version(stack):
    builder = stack.builder(MAX_FILES_PER_MANIFEST="1")
    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b'{"v": 1}\n')])

    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b'{"v": 2}\n')])

    files = stack.files(stack.today)
    uri = f"s3://{stack.input_bucket}/in/e-2024-03-10.ndjson"
    assert files[uri]["status"] == "manifested"
    (version,) = [item for key, item in files.items() if key != uri]
    assert version["file_key"] == f"{uri}#{version['etag']}"
    assert version["status"] == "quarantined"
    assert version["quarantine_reason"].startswith("reupload_after_manifest")
    assert len(stack.manifest_documents()) == 1


def test_a_valid_reupload_of_a_quarantined_file_makes_it_pending_again(stack):
    builder = stack.builder()
    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b"")])

    builder.handle_sqs_batch([stack.upload("in/e-2024-03-10.ndjson", b'{"fixed": true}\n')])

    (item,) = stack.files(stack.today).values()
    assert item["status"] == "pending"
    assert "quarantine_reason" not in item
    assert builder.table.counters(stack.today).pending_count == 1
