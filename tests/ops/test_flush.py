"""`platform-ops intake flush DATE`: a date's pending files become manifests now, partial ones included."""


def test_todays_partial_batch_is_cut_and_started(cli, stack, pipeline):
    pipeline.arrive(*(f"in/{name}-{stack.today}.ndjson" for name in "abc"))
    assert pipeline.manifests(stack.today) == []

    code, output = cli("flush", stack.today)

    assert code == 0
    manifest = pipeline.only_manifest(stack.today)
    assert manifest["file_count"] == 3
    assert pipeline.execution(manifest["manifest_id"])["status"] == "RUNNING"
    assert f"manifest {manifest['manifest_id']}: started" in output


def test_batches_stay_within_max_files_per_manifest(cli, stack, pipeline):
    pipeline.arrive(*(f"in/{name}-{stack.today}.ndjson" for name in "abcdefg"), MAX_FILES_PER_MANIFEST="10")

    code, _ = cli("flush", stack.today, MAX_FILES_PER_MANIFEST="5")

    assert code == 0
    assert sorted(m["file_count"] for m in pipeline.manifests(stack.today)) == [2, 5]


def test_every_file_lands_in_exactly_one_manifest(cli, stack, pipeline):
    uris = pipeline.arrive(
        *(f"in/{name}-{stack.today}.ndjson" for name in "abcdefg"), MAX_FILES_PER_MANIFEST="10"
    )

    cli("flush", stack.today, MAX_FILES_PER_MANIFEST="5")

    listed = [
        uri for document in stack.manifest_documents() for uri in document["fileLocations"][0]["URIPrefixes"]
    ]
    assert sorted(listed) == sorted(uris)
    assert {item["status"] for item in stack.files(stack.today).values()} == {"manifested"}


def test_dry_run_shows_the_batches_and_cuts_none(cli, stack, pipeline):
    pipeline.arrive(*(f"in/{name}-{stack.today}.ndjson" for name in "abc"))

    code, output = cli("flush", stack.today, "--dry-run")

    assert code == 0
    assert "would cut a manifest of 3 file(s), 30 bytes" in output
    assert pipeline.manifests(stack.today) == []
    assert {item["status"] for item in stack.files(stack.today).values()} == {"pending"}


def test_a_date_without_pending_files_cuts_nothing(cli, stack):
    code, output = cli("flush", stack.today)

    assert code == 0
    assert f"no pending files on {stack.today}" in output


def test_with_the_rollback_on_the_manifests_stay_manifested_for_replay(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.today}.ndjson")

    code, output = cli("flush", stack.today, STEP_FUNCTION_ARN="")

    assert code == 0
    assert pipeline.only_manifest(stack.today)["status"] == "manifested"
    assert stack.executions() == []
    assert "stay manifested until `replay`" in output


def test_a_manifest_left_unstarted_is_started_by_the_flush_though_no_file_is_pending(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.today}.ndjson")
    cli("flush", stack.today, STEP_FUNCTION_ARN="")
    manifest_id = pipeline.only_manifest(stack.today)["manifest_id"]

    code, output = cli("flush", stack.today, STEP_FUNCTION_ARN=stack.env()["STEP_FUNCTION_ARN"])

    assert code == 0
    assert f"finishing manifest {manifest_id} (manifested, not started)" in output
    assert f"manifest {manifest_id}: started" in output
    assert pipeline.execution(manifest_id)["status"] == "RUNNING"


def test_dry_run_counts_files_pending_since_before_markers_existed_and_marks_none(cli, stack, pipeline):
    unmarked = _pending_two_of_them_without_marker(stack, pipeline)
    stack.clock.advance(minutes=16)  # no arrival can be in flight: the flush's audit of the markers runs

    code, output = cli("flush", stack.today, "--dry-run")

    assert code == 0
    assert output.splitlines() == [
        "would cut a manifest of 1 file(s), 10 bytes",
        "would cut a manifest of 2 file(s), 20 bytes",
    ]
    assert not {f"PENDING#{uri}" for uri in unmarked} & set(stack.items(stack.today))


def test_the_flush_cuts_what_its_dry_run_showed_for_files_pending_since_before_markers(cli, stack, pipeline):
    _pending_two_of_them_without_marker(stack, pipeline)
    stack.clock.advance(minutes=16)
    _, dry_run = cli("flush", stack.today, "--dry-run", MAX_BATCH_WAIT_SECONDS="0")

    code, _ = cli("flush", stack.today, MAX_BATCH_WAIT_SECONDS="0")

    assert code == 0
    shown = sorted(int(line.split()[5]) for line in dry_run.splitlines())
    assert sorted(document["file_count"] for document in stack.manifest_documents()) == shown == [1, 2]
    assert {item["status"] for item in stack.files(stack.today).values()} == {"manifested"}


def test_while_an_arrival_can_be_in_flight_the_dry_run_and_the_flush_leave_unmarked_files(
    cli, stack, pipeline
):
    unmarked = _pending_two_of_them_without_marker(stack, pipeline)

    _, dry_run = cli("flush", stack.today, "--dry-run")
    code, _ = cli("flush", stack.today)

    assert code == 0
    assert dry_run.splitlines() == ["would cut a manifest of 1 file(s), 10 bytes"]
    assert [document["file_count"] for document in stack.manifest_documents()] == [1]
    assert [stack.files(stack.today)[uri]["status"] for uri in unmarked] == ["pending", "pending"]


def _pending_two_of_them_without_marker(stack, pipeline) -> list[str]:
    """Three files pending today, the first two as tracked before pending files had markers (v0.1.0)."""
    uris = pipeline.arrive(*(f"in/{name}-{stack.today}.ndjson" for name in "abc"))
    pipeline.unmark(stack.today, *uris[:2])
    return uris[:2]
