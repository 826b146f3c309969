"""The partition lock: contention, expiry, fencing of a holder that lost it, and crash recovery."""

import pytest
from manifest_builder.tracking import LockLost, ManifestRecord, TrackingTable


def upload_many(stack, count, date="2024-03-10"):
    return [stack.upload(f"in/events-{date}-{n:04d}.ndjson") for n in range(count)]


def test_an_invocation_that_cannot_take_the_lock_leaves_its_files_pending(stack):
    builder = stack.builder()
    assert builder.table.acquire_lock(stack.today, "other-invocation", stack.clock.now(), 120)

    result = builder.handle_sqs_batch(upload_many(stack, 5))

    assert result == {"batchItemFailures": []}
    assert {item["status"] for item in stack.files(stack.today).values()} == {"pending"}
    assert stack.manifest_documents() == []
    assert builder.flusher.flush(stack.today).lock_busy


def test_files_left_pending_by_lock_contention_are_picked_up_later(stack):
    builder = stack.builder()
    builder.table.acquire_lock(stack.today, "other-invocation", stack.clock.now(), 120)
    builder.handle_sqs_batch(upload_many(stack, 5))
    builder.table.release_lock(stack.today, "other-invocation")

    builder.handle_sqs_batch([stack.upload("in/late-2024-03-10.ndjson")])

    (document,) = stack.manifest_documents()
    assert document["file_count"] == 5
    statuses = sorted(item["status"] for item in stack.files(stack.today).values())
    assert statuses == ["manifested"] * 5 + ["pending"]


def test_an_expired_lock_is_taken_over(stack):
    builder = stack.builder(LOCK_TTL_SECONDS="60")
    builder.table.acquire_lock(stack.today, "crashed-invocation", stack.clock.now(), 60)
    stack.clock.advance(seconds=61)

    builder.handle_sqs_batch(upload_many(stack, 5))

    assert len(stack.manifest_documents()) == 1


def test_a_holder_whose_lock_expired_cannot_move_files(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 2))
    table: TrackingTable = builder.table
    table.acquire_lock(stack.today, "slow-holder", stack.clock.now(), 60)
    stack.clock.advance(seconds=61)
    table.acquire_lock(stack.today, "new-holder", stack.clock.now(), 60)
    files = sorted(stack.files(stack.today))
    record = ManifestRecord("2024-03-10-stale", "s3://m/stale.json", files, 20)

    with pytest.raises(LockLost):
        table.write_manifest(stack.today, record, "slow-holder", stack.clock.now(), create=True)

    assert {item["status"] for item in stack.files(stack.today).values()} == {"pending"}
    assert stack.manifest_items(stack.today) == []


def test_a_holder_cannot_write_once_its_own_lease_ran_out(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 1))
    builder.table.acquire_lock(stack.today, "slow-holder", stack.clock.now(), 60)
    stack.clock.advance(seconds=60)
    record = ManifestRecord("2024-03-10-late", "s3://m/late.json", sorted(stack.files(stack.today)), 10)

    with pytest.raises(LockLost):
        builder.table.write_manifest(stack.today, record, "slow-holder", stack.clock.now(), create=True)


def test_a_manifest_left_building_by_a_crash_is_finished_by_the_next_holder(stack, monkeypatch):
    builder = stack.builder(MAX_FILES_PER_MANIFEST="120")
    records = upload_many(stack, 119)
    builder.handle_sqs_batch(records)
    real_fenced = TrackingTable._fenced
    calls = []

    def dies_on_second_transaction(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise SystemExit("the invocation died here")
        return real_fenced(self, *args, **kwargs)

    monkeypatch.setattr(TrackingTable, "_fenced", dies_on_second_transaction)
    with pytest.raises(SystemExit):
        builder.handle_sqs_batch([stack.upload("in/events-2024-03-10-last.ndjson")])
    monkeypatch.setattr(TrackingTable, "_fenced", real_fenced)
    (crashed,) = stack.manifest_items(stack.today)
    assert crashed["status"] == "building"
    stack.clock.advance(seconds=121)

    builder.handle_sqs_batch([dict(records[0], messageId="redelivered")])

    (manifest,) = stack.manifest_items(stack.today)
    assert manifest["status"] == "manifested" and manifest["file_count"] == 120
    assert {item["status"] for item in stack.files(stack.today).values()} == {"manifested"}
    assert [e["name"] for e in stack.executions()] == [manifest["manifest_id"]]
    assert builder.table.counters(stack.today).pending_count == 0


def test_counters_left_too_high_by_a_crash_are_reset_once_no_arrival_can_be_in_flight(stack):
    builder = stack.builder()
    builder.handle_sqs_batch(upload_many(stack, 2, date=stack.yesterday))
    builder.table.count_arrival(stack.yesterday, 10, stack.clock.now())  # died before writing its item

    stack.clock.advance(minutes=14)
    builder.sweep()
    assert builder.table.counters(stack.yesterday).pending_count == 1

    stack.clock.advance(minutes=2)
    builder.sweep()
    assert builder.table.counters(stack.yesterday).pending_count == 0


def test_pending_files_without_a_marker_are_marked_and_manifested_once_no_arrival_can_be_in_flight(stack):
    builder = stack.builder()
    builder.table.acquire_lock(stack.yesterday, "other-invocation", stack.clock.now(), 120)
    builder.handle_sqs_batch(upload_many(stack, 3, date=stack.yesterday))
    builder.table.release_lock(stack.yesterday, "other-invocation")
    unmarked = sorted(stack.files(stack.yesterday))[:2]
    for file_key in unmarked:  # as a file tracked before pending files had markers
        stack.clients.dynamodb.delete_item(
            TableName=stack.table,
            Key={"date_prefix": {"S": stack.yesterday}, "file_key": {"S": f"PENDING#{file_key}"}},
        )

    stack.clock.advance(minutes=14)
    builder.sweep()
    assert [stack.files(stack.yesterday)[key]["status"] for key in unmarked] == ["pending", "pending"]

    stack.clock.advance(minutes=2)
    builder.sweep()
    assert {item["status"] for item in stack.files(stack.yesterday).values()} == {"manifested"}
    assert not [key for key in stack.items(stack.yesterday) if key.startswith("PENDING#")]
    assert builder.table.counters(stack.yesterday).pending_count == 0
