"""A file the Glue job quarantined for its content: its outcome on its tracking item, and
`platform-ops intake readmit FILE`, which puts it, once fixed, into a later manifest."""

from __future__ import annotations

import pytest
from ndjson_parquet.job import FileOutcome, JobStats
from ndjson_parquet.outcomes import record

REASON = "bad_content: 2 of 2 lines rejected (ratio 1.0000 > MAX_REJECT_RATIO 0.01)"


def converted(stack, manifest: dict, good: str, bad: str) -> JobStats:
    """What the job reports for a manifest of one good and one bad file, recorded as the job does."""
    stats = JobStats(
        manifest["manifest_id"], manifest["date_prefix"], 2, 40, 5, 3, 2, 1, "s3://o/p", "s3://o/r",
        files=[FileOutcome(good, 3, 3, 0), FileOutcome(bad, 2, 0, 2, REASON)],
    )  # fmt: skip
    record(stack.table, stats, stack.clients.dynamodb, stack.clock.now())
    return stats


@pytest.fixture
def quarantined(stack, pipeline):
    """A manifest of a good and a bad file whose conversion quarantined the bad one."""
    good, bad = pipeline.arrive(f"in/good-{stack.yesterday}.ndjson", f"in/bad-{stack.yesterday}.ndjson")
    manifest = pipeline.only_manifest(stack.yesterday)
    converted(stack, manifest, good, bad)
    return good, bad, manifest


def test_the_job_records_each_files_final_status_and_rows_on_its_item(stack, quarantined):
    good, bad, _ = quarantined
    files = stack.files(stack.yesterday)

    assert (files[good]["status"], files[good]["records_written"], files[good]["records_rejected"]) == (
        "completed",
        3,
        0,
    )
    assert (files[bad]["status"], files[bad]["records_read"], files[bad]["records_rejected"]) == (
        "quarantined",
        2,
        2,
    )
    assert files[bad]["quarantine_reason"] == REASON


def test_the_manifest_item_holds_the_totals_and_names_the_quarantined_file(stack, quarantined):
    _, bad, manifest = quarantined
    (item,) = stack.manifest_items(stack.yesterday)

    assert (item["records_read"], item["records_written"], item["records_rejected"]) == (5, 3, 2)
    assert item["quarantined_files"] == [f"{bad}: {REASON}"]


def test_file_shows_the_rows_of_a_converted_file(cli, quarantined):
    good, _, _ = quarantined

    code, output = cli("file", good)

    assert code == 0
    assert f"{good}: completed" in output
    assert "records_written: 3" in output


def test_readmit_makes_the_quarantined_file_pending_for_a_later_manifest(cli, stack, pipeline, quarantined):
    _, bad, manifest = quarantined

    code, output = cli("readmit", bad)

    assert code == 0, output
    item = stack.files(stack.yesterday)[bad]
    assert item["status"] == "pending"
    assert item["previous_manifest_ids"] == [manifest["manifest_id"]]
    assert "quarantine_reason" not in item and "manifest_id" not in item
    stack.builder().sweep()
    later = [m for m in pipeline.manifests(stack.yesterday) if m["manifest_id"] != manifest["manifest_id"]]
    assert [m["file_count"] for m in later] == [1]
    assert stack.files(stack.yesterday)[bad]["manifest_id"] == later[0]["manifest_id"]


def test_a_replay_of_the_earlier_manifest_leaves_a_readmitted_file_alone(cli, stack, quarantined):
    good, bad, manifest = quarantined
    cli("readmit", bad)

    converted(stack, manifest, good, bad)

    assert stack.files(stack.yesterday)[bad]["status"] == "pending"


def test_readmit_dry_run_changes_nothing(cli, stack, quarantined):
    _, bad, _ = quarantined

    code, output = cli("readmit", bad, "--dry-run")

    assert code == 0
    assert f"would readmit {bad}" in output
    assert stack.files(stack.yesterday)[bad]["status"] == "quarantined"


def test_a_file_the_builder_refused_cannot_be_readmitted(cli, stack, pipeline):
    (uri,) = pipeline.arrive(f"in/a-{stack.today}.csv")

    code, output = cli("readmit", uri)

    assert code == 1
    assert "quarantined (invalid_extension" in output
    assert "only a file quarantined by the job for its content (bad_content)" in output


def test_a_corrected_upload_of_a_quarantined_file_leaves_its_manifest_for_a_later_one(stack, quarantined):
    good, bad, manifest = quarantined
    stack.builder().handle_sqs_batch([stack.upload(bad.split("/", 3)[3], b'{"id": "fixed"}\n')])

    item = stack.files(stack.yesterday)[bad]
    # Pending again, and at once in a new manifest: its date is past, so its arrival flushed it.
    assert (item["status"], item["previous_manifest_ids"]) == ("manifested", [manifest["manifest_id"]])
    assert item["manifest_id"] != manifest["manifest_id"] and "records_read" not in item
    converted(stack, manifest, good, bad)
    assert stack.files(stack.yesterday)[bad]["status"] == "manifested"
