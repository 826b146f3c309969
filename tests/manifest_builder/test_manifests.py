"""Batching into manifests, the orphan flush, triggering the workflow, and recovery from failures."""

import json
import logging


def upload_many(stack, count, date="2024-03-10", prefix="in/events"):
    return [stack.upload(f"{prefix}-{date}-{n:04d}.ndjson") for n in range(count)]


def test_pending_files_below_the_limit_wait_for_a_full_batch(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 4))

    assert {item["status"] for item in stack.files(stack.today).values()} == {"pending"}
    assert stack.manifest_documents() == []


def test_a_full_batch_becomes_a_manifest_in_the_documented_format(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 5))

    (document,) = stack.manifest_documents()
    uris = sorted(stack.files(stack.today))
    assert document["fileLocations"] == [{"URIPrefixes": uris}]
    assert document["date_prefix"] == stack.today
    assert (document["file_count"], document["total_bytes"]) == (5, 50)
    assert document["manifest_id"].startswith(stack.today)
    assert document["created_at"].startswith("2024-03-10T12:00")


def test_the_manifest_lists_the_version_id_and_etag_of_each_file_as_notified(stack, events):
    records = []
    for n in range(5):
        notification = events.notification(
            stack.input_bucket, f"in/events-{stack.today}-{n}.ndjson", 10, f"e{n}"
        )
        notification["Records"][0]["s3"]["object"]["versionId"] = f"v{n}"
        records.append(events.record(notification))
    stack.builder().handle_sqs_batch(records)

    (document,) = stack.manifest_documents()
    assert sorted((f["version_id"], f["etag"]) for f in document["files"]) == [
        (f"v{n}", f"e{n}") for n in range(5)
    ]
    assert [f["uri"] for f in document["files"]] == document["fileLocations"][0]["URIPrefixes"]


def test_the_files_of_a_manifest_move_to_manifested_with_its_path(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 5))

    (manifest,) = stack.manifest_items(stack.today)
    path = manifest["manifest_path"]
    assert path.startswith(f"s3://{stack.manifest_bucket}/manifests/{stack.today}/")
    for item in stack.files(stack.today).values():
        assert (item["status"], item["manifest_id"], item["manifest_path"]) == (
            "manifested",
            manifest["manifest_id"],
            path,
        )


def test_the_manifest_has_its_own_tracking_item(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 5))

    (manifest,) = stack.manifest_items(stack.today)
    assert manifest["file_key"] == f"MANIFEST#{manifest['manifest_id']}"
    assert (manifest["status"], manifest["file_count"], manifest["total_bytes"]) == ("manifested", 5, 50)


def test_a_batch_is_cut_when_its_bytes_reach_the_limit(stack):
    stack.builder(MAX_FILES_PER_MANIFEST="100", MAX_BYTES_PER_MANIFEST="30").handle_sqs_batch(
        upload_many(stack, 3)
    )

    (document,) = stack.manifest_documents()
    assert document["file_count"] == 3


def test_the_manifest_starts_one_execution_named_after_it_with_the_contract_input(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 5))

    (manifest,) = stack.manifest_items(stack.today)
    (execution,) = stack.executions()
    assert execution["name"] == manifest["manifest_id"]
    assert json.loads(execution["input"]) == {
        "manifest_path": manifest["manifest_path"],
        "manifest_id": manifest["manifest_id"],
        "date_prefix": stack.today,
        "file_count": 5,
        "timestamp": "2024-03-10T12:00:00.000000Z",
    }
    assert manifest["execution_arn"] == execution["executionArn"]


def test_a_second_start_of_the_same_manifest_is_not_a_second_run(stack):
    from manifest_builder.aws import Workflow

    workflow = Workflow(stack.clients.stepfunctions)

    first = workflow.start(stack.state_machine_arn, "2024-03-10-manifest", {"manifest_id": "x"})
    second = workflow.start(stack.state_machine_arn, "2024-03-10-manifest", {"manifest_id": "x"})

    assert first == second
    assert len(stack.executions()) == 1


def test_a_past_date_flushes_a_partial_batch_on_arrival(stack):
    stack.builder().handle_sqs_batch(upload_many(stack, 2, date=stack.yesterday))

    (document,) = stack.manifest_documents()
    assert (document["date_prefix"], document["file_count"]) == (stack.yesterday, 2)


def test_the_scheduled_sweep_flushes_yesterdays_partial_batch(stack, events):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 3))
    stack.clock.advance(days=1)

    outcome = builder.sweep()

    (document,) = stack.manifest_documents()
    assert document["file_count"] == 3
    assert outcome["swept_dates"] == ["2024-03-10"]
    assert {item["status"] for item in stack.files("2024-03-10").values()} == {"manifested"}


def test_the_sweep_leaves_todays_partial_batch_alone(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 3))

    assert builder.sweep() == {"swept_dates": [], "manifest_ids": []}
    assert stack.manifest_documents() == []


def test_todays_partial_batch_goes_out_with_the_next_arrival_once_its_oldest_file_waited_long_enough(stack):
    builder = stack.builder(MAX_BATCH_WAIT_SECONDS="900")
    builder.handle_sqs_batch(upload_many(stack, 2))
    stack.clock.advance(seconds=899)
    builder.handle_sqs_batch([stack.upload(f"in/late-{stack.today}.ndjson")])
    assert stack.manifest_documents() == []

    stack.clock.advance(seconds=2)
    builder.handle_sqs_batch([stack.upload(f"in/later-{stack.today}.ndjson")])

    (document,) = stack.manifest_documents()
    assert (document["date_prefix"], document["file_count"]) == (stack.today, 4)


def test_the_sweep_flushes_todays_partial_batch_once_its_oldest_file_waited_long_enough(stack):
    builder = stack.builder(MAX_BATCH_WAIT_SECONDS="900")
    builder.handle_sqs_batch(upload_many(stack, 3))
    stack.clock.advance(seconds=901)

    outcome = builder.sweep()

    (document,) = stack.manifest_documents()
    assert outcome["swept_dates"] == [stack.today]
    assert document["file_count"] == 3


def test_files_left_after_a_full_batch_keep_their_own_wait(stack):
    builder = stack.builder(MAX_BATCH_WAIT_SECONDS="900")
    builder.handle_sqs_batch(upload_many(stack, 5))  # a full batch: MAX_FILES_PER_MANIFEST is 5
    stack.clock.advance(seconds=600)
    builder.handle_sqs_batch([stack.upload(f"in/rest-{stack.today}.ndjson")])
    stack.clock.advance(seconds=600)

    assert builder.sweep() == {"swept_dates": [], "manifest_ids": []}
    stack.clock.advance(seconds=301)
    assert builder.sweep()["swept_dates"] == [stack.today]
    assert [document["file_count"] for document in stack.manifest_documents()] == [5, 1]


def test_without_a_maximum_wait_todays_partial_batch_waits_for_the_day_to_pass(stack):
    builder = stack.builder(MAX_BATCH_WAIT_SECONDS="0")
    builder.handle_sqs_batch(upload_many(stack, 3))
    stack.clock.advance(hours=11)

    assert builder.sweep() == {"swept_dates": [], "manifest_ids": []}


def test_a_forced_flush_cuts_todays_partial_batch(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 3))

    result = builder.flusher.flush(stack.today, force_partial=True)

    (document,) = stack.manifest_documents()
    assert (document["date_prefix"], document["file_count"]) == (stack.today, 3)
    assert result.manifest_ids == [document["manifest_id"]]


def test_the_orphan_flush_waits_for_the_partial_batch_minimum(stack):
    stack.builder(MIN_FILES_FOR_PARTIAL_BATCH="3").handle_sqs_batch(
        upload_many(stack, 2, date=stack.yesterday)
    )

    assert stack.manifest_documents() == []


def test_with_a_blank_state_machine_the_manifest_stays_manifested_and_replayable(stack, caplog):
    with caplog.at_level(logging.WARNING):
        stack.builder(STEP_FUNCTION_ARN="").handle_sqs_batch(upload_many(stack, 5))

    (manifest,) = stack.manifest_items(stack.today)
    assert manifest["status"] == "manifested" and "execution_arn" not in manifest
    assert stack.executions() == []
    assert "STEP_FUNCTION_ARN is blank" in caplog.text
    assert len(stack.manifest_documents()) == 1


def test_a_failed_start_fails_the_messages_and_is_retried_by_their_redelivery(stack):
    missing = stack.state_machine_arn.replace("intake-pipeline", "intake-pipeline-next")
    records = upload_many(stack, 5)

    builder = stack.builder(STEP_FUNCTION_ARN=missing)
    result = builder.handle_sqs_batch(records)

    assert {f["itemIdentifier"] for f in result["batchItemFailures"]} == {r["messageId"] for r in records}
    (manifest,) = stack.manifest_items(stack.today)
    assert manifest["status"] == "manifested" and "start_failed_at" in manifest
    assert any(n["event"] == "execution_start_failed" for n in stack.notices())
    assert builder.table.counters(stack.today).unstarted_manifests == 1

    stack.add_state_machine("intake-pipeline-next")
    retry = builder.handle_sqs_batch(records[:1])

    assert retry == {"batchItemFailures": []}
    (manifest,) = stack.manifest_items(stack.today)
    assert manifest["execution_arn"].endswith(manifest["manifest_id"])
    assert builder.table.counters(stack.today).unstarted_manifests == 0


def test_a_pending_file_has_a_marker_exactly_until_it_is_manifested(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 4))
    markers = {key for key in stack.items(stack.today) if key.startswith("PENDING#")}
    assert markers == {f"PENDING#{key}" for key in stack.files(stack.today)}

    builder.handle_sqs_batch(upload_many(stack, 1, prefix="in/last"))

    assert not [key for key in stack.items(stack.today) if key.startswith("PENDING#")]


def test_a_flush_reads_one_manifests_worth_of_pending_files_not_the_dates_manifested_ones(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 20))  # four manifests of 5
    read = []
    stack.clients.dynamodb.meta.events.register(
        "after-call.dynamodb.Query", lambda parsed, **_: read.append(parsed["ScannedCount"])
    )

    builder.handle_sqs_batch(upload_many(stack, 5, prefix="in/more"))

    assert len(stack.manifest_documents()) == 5
    # The five pending files, then the four earlier manifests' items (the look for unfinished ones).
    assert sum(read) == 5 + 4


def test_each_pending_file_is_read_once_when_the_byte_limit_cuts_manifests_of_one_file(stack):
    builder = stack.builder(MAX_BYTES_PER_MANIFEST="10")  # every 10-byte file fills a manifest
    builder.table.acquire_lock(stack.today, "other-invocation", stack.clock.now(), 120)
    builder.handle_sqs_batch(upload_many(stack, 12))
    builder.table.release_lock(stack.today, "other-invocation")
    read = []
    stack.clients.dynamodb.meta.events.register(
        "after-call.dynamodb.Query", lambda parsed, **_: read.append(parsed["ScannedCount"])
    )

    builder.flusher.flush(stack.today)

    assert len(stack.manifest_documents()) == 12
    assert sum(read) == 12


def test_a_file_that_waited_too_long_beyond_the_first_manifests_worth_still_flushes_the_partial_batch(stack):
    builder = stack.builder(MAX_BATCH_WAIT_SECONDS="900")
    builder.table.acquire_lock(stack.today, "other-invocation", stack.clock.now(), 3600)
    builder.handle_sqs_batch(upload_many(stack, 1, prefix="in/z-old"))  # sorts after the others
    stack.clock.advance(minutes=16)
    builder.handle_sqs_batch(upload_many(stack, 6, prefix="in/a-new"))
    builder.table.release_lock(stack.today, "other-invocation")

    builder.flusher.flush(stack.today)

    assert sorted(document["file_count"] for document in stack.manifest_documents()) == [2, 5]
    assert {item["status"] for item in stack.files(stack.today).values()} == {"manifested"}
