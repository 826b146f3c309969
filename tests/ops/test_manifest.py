"""`platform-ops intake manifest ID`: one manifest's files, error and execution, and what to run next."""

from ndjson_parquet.job import FileOutcome, JobStats
from ndjson_parquet.outcomes import record


def test_a_failed_manifest_shows_its_files_error_and_the_replay_to_run(cli, stack, pipeline):
    uris = pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", f"in/b-{stack.yesterday}.ndjson")
    manifest_id = pipeline.only_manifest(stack.yesterday)["manifest_id"]
    pipeline.set_manifest(
        stack.yesterday, manifest_id, status="failed", error="States.TaskFailed", error_cause="Glue run died"
    )

    code, output = cli("manifest", manifest_id)

    assert code == 0
    assert f"manifest {manifest_id}: failed" in output
    assert "error_cause: Glue run died" in output
    assert (
        f"execution arn:aws:states:us-east-1:123456789012:execution:intake-pipeline:{manifest_id}" in output
    )
    assert [
        line.split(":")[0] + ":" + line.split(":")[1] for line in output.splitlines() if "/in/" in line
    ] == [f"  {uri}" for uri in uris]
    assert (
        f"next: fix the cause (error above), then: platform-ops intake replay --manifest-id {manifest_id}"
        in (output)
    )


def test_a_never_started_manifest_says_replay_starts_it(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", STEP_FUNCTION_ARN="")
    manifest_id = pipeline.only_manifest(stack.yesterday)["manifest_id"]

    code, output = cli("manifest", manifest_id)

    assert code == 0
    assert f"next: platform-ops intake replay --manifest-id {manifest_id} (starts it)" in output


def test_a_completed_manifest_with_a_quarantined_file_shows_its_rows_and_says_readmit(cli, stack, pipeline):
    good, bad = pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", f"in/b-{stack.yesterday}.ndjson")
    manifest_id = pipeline.only_manifest(stack.yesterday)["manifest_id"]
    reason = "bad_content: 1 of 1 lines rejected (ratio 1.0000 > MAX_REJECT_RATIO 0.01)"
    outcomes = [FileOutcome(good, 4, 4, 0), FileOutcome(bad, 1, 0, 1, reason)]
    stats = JobStats(manifest_id, stack.yesterday, 2, 9, 5, 4, 1, 1, "s3://o/p", "s3://o/r", files=outcomes)
    record(stack.table, stats, stack.clients.dynamodb, stack.clock.now())
    pipeline.set_manifest(stack.yesterday, manifest_id, status="completed")

    code, output = cli("manifest", manifest_id)

    assert code == 0
    assert f"  {good}: completed  4 rows written, 0 rejected" in output
    assert f"  {bad}: quarantined  0 rows written, 1 rejected  {reason}" in output
    assert "next: fix each quarantined file, then: platform-ops intake readmit FILE" in output


def test_an_unknown_manifest_exits_1(cli, stack):
    code, output = cli("manifest", f"{stack.yesterday}-000000-000000000000")

    assert code == 1
    assert "not tracked" in output
