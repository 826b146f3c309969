"""`platform-ops intake reconcile` (and the daily reconciliation, the same code): objects of the input prefix
the tracking table has never seen are registered as if notified, resuming where the last run stopped."""

from __future__ import annotations


def put_unnotified(stack, *keys: str) -> list[str]:
    """Objects written without their notification reaching the builder (a lost or expired message)."""
    for key in keys:
        stack.clients.s3.put_object(Bucket=stack.input_bucket, Key=key, Body=b'{"id": 1}\n')
    return [f"s3://{stack.input_bucket}/{key}" for key in keys]


def reconcile(cli, stack, *arguments: str) -> tuple[int, str]:
    return cli("reconcile", *arguments, INPUT_BUCKET=stack.input_bucket, INPUT_PREFIX="in/")


def test_an_object_never_notified_is_registered_as_pending(cli, stack):
    (uri,) = put_unnotified(stack, f"in/lost-{stack.today}.ndjson")

    code, output = reconcile(cli, stack)

    assert code == 0
    assert f"registered: {uri}" in output
    assert stack.files(stack.today)[uri]["status"] == "pending"


def test_objects_already_tracked_are_left_alone(cli, stack, pipeline):
    (notified,) = pipeline.arrive(f"in/seen-{stack.today}.ndjson")
    (lost,) = put_unnotified(stack, f"in/lost-{stack.today}.ndjson")

    code, output = reconcile(cli, stack)

    assert code == 0
    assert "2 object(s) listed, 1 never seen, 1 registered" in output
    assert f"registered: {notified}" not in output


def test_a_bucket_is_covered_over_several_runs_each_resuming_where_the_last_stopped(cli, stack):
    uris = put_unnotified(stack, *(f"in/file-{n}-{stack.today}.ndjson" for n in range(5)))

    outputs = [reconcile(cli, stack, "--max-objects", "2")[1] for _ in range(3)]

    assert [line for output in outputs for line in output.splitlines() if line.startswith("registered")] == [
        f"registered: {uri}" for uri in uris
    ]
    assert "the next run resumes there" in outputs[0]
    assert "reached the end of the prefix" in outputs[2]
    assert "registered: " not in reconcile(cli, stack)[1]


def test_a_key_without_a_date_is_registered_under_the_date_it_was_written_once(cli, stack):
    (uri,) = put_unnotified(stack, "in/no-date.ndjson")
    reconcile(cli, stack)
    stack.clock.advance(days=2)

    code, output = reconcile(cli, stack)

    written = stack.clients.s3.head_object(Bucket=stack.input_bucket, Key="in/no-date.ndjson")["LastModified"]
    assert "0 never seen" in output
    assert uri in stack.files(written.date().isoformat())


def test_a_dry_run_registers_nothing(cli, stack):
    (uri,) = put_unnotified(stack, f"in/lost-{stack.today}.ndjson")

    code, output = reconcile(cli, stack, "--dry-run")

    assert code == 0
    assert f"never seen: {uri}" in output
    assert stack.files(stack.today) == {}


def test_without_an_input_bucket_reconcile_says_so(cli, stack):
    code, output = cli("reconcile")

    assert code == 2
    assert "INPUT_BUCKET is blank" in output
