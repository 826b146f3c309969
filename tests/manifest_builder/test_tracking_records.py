"""The tracking table's boundary: items read back as typed records, failed conditions as ConditionFailed."""

import pytest
from manifest_builder.batching import PendingFile
from manifest_builder.events import ObjectCreated
from manifest_builder.tracking import (
    PENDING,
    BatchLock,
    ConditionFailed,
    PartitionCounters,
    ReconciliationCursor,
    TrackedFile,
    TrackedManifest,
)


def arrive(stack, builder, *names):
    builder.handle_sqs_batch([stack.upload(f"in/{name}-{stack.today}.ndjson") for name in names])
    return [f"s3://{stack.input_bucket}/in/{name}-{stack.today}.ndjson" for name in names]


def test_each_kind_of_item_reads_back_as_its_record(stack):
    builder = stack.builder()
    arrive(stack, builder, *"abcdef")  # a manifest of five, one file left pending with its marker
    builder.table.acquire_lock(stack.today, "holder", stack.clock.now(), 120)
    builder.table.save_reconciliation_cursor("token", 10, 1, "2024-03-10T11:00:00.000000Z", stack.clock.now())

    kinds = {type(record) for record in builder.table.items()}

    assert kinds == {
        TrackedFile,
        PendingFile,
        TrackedManifest,
        BatchLock,
        PartitionCounters,
        ReconciliationCursor,
    }


def test_a_file_reads_back_with_its_counts_as_ints_and_what_it_lacks_as_none(stack):
    builder = stack.builder()
    (uri,) = arrive(stack, builder, "a")

    item = builder.table.file(stack.today, uri)

    assert (item.status, item.size_bytes, item.manifest_id, item.records_read) == (PENDING, 10, None, None)
    assert item.previous_manifest_ids == ()


def test_a_manifest_reads_back_with_its_replays_as_records(stack):
    builder = stack.builder()
    arrive(stack, builder, *"abcde")
    (manifest,) = [m for m in builder.table.items(stack.today) if isinstance(m, TrackedManifest)]
    builder.table.record_replay(
        stack.today, manifest.manifest_id, "failed", "arn:replay-1", stack.clock.now()
    )

    replayed = builder.table.manifest(stack.today, manifest.manifest_id)

    assert (replayed.file_count, [replay.execution_arn for replay in replayed.replays]) == (
        5,
        ["arn:replay-1"],
    )


def test_a_file_tracked_already_is_returned_as_the_record_its_failed_condition_read(stack):
    builder = stack.builder()
    (uri,) = arrive(stack, builder, "a")
    obj = ObjectCreated(stack.input_bucket, uri.split("/", 3)[3], 10, "other-etag")

    existing = builder.table.insert_file(stack.today, uri, obj, PENDING, stack.clock.now())

    assert existing == builder.table.file(stack.today, uri)


def test_restoring_the_marker_of_a_file_that_got_one_meanwhile_writes_nothing(stack):
    builder = stack.builder()
    arrive(stack, builder, "a")
    (marked,) = builder.table.pending_files(stack.today)

    assert builder.table.restore_pending_markers(stack.today, [marked]) == 0


def test_recording_the_execution_of_an_untracked_manifest_raises_condition_failed(stack):
    table = stack.builder().table

    with pytest.raises(ConditionFailed):
        table.record_execution(stack.today, f"{stack.today}-000000-none", "arn:execution", stack.clock.now())
