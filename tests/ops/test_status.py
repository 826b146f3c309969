"""`platform-ops intake status`: counts by final status per date, stuck manifests, the oldest pending file."""


def _row(output: str, date_prefix: str) -> list[str]:
    (line,) = [line for line in output.splitlines() if line.strip().startswith(date_prefix)]
    return line.split()


def test_files_are_counted_by_their_final_status_per_date(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", f"in/b-{stack.yesterday}.ndjson")
    manifest = pipeline.only_manifest(stack.yesterday)
    pipeline.set_manifest(stack.yesterday, manifest["manifest_id"], status="completed")
    pipeline.arrive(f"in/c-{stack.today}.ndjson", f"in/d-{stack.today}.csv")

    code, output = cli("status")

    assert code == 0
    # columns: date, pending, manifested, processing, completed, failed, quarantined, manifests...
    assert _row(output, stack.yesterday)[1:7] == ["0", "0", "0", "2", "0", "0"]
    assert _row(output, stack.today)[1:7] == ["1", "0", "0", "0", "0", "1"]
    assert _row(output, stack.yesterday)[7:] == ["1", "completed"]


def test_a_manifest_unchanged_beyond_the_threshold_is_listed_as_stuck(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    manifest = pipeline.only_manifest(stack.yesterday)
    pipeline.set_manifest(stack.yesterday, manifest["manifest_id"], status="processing")
    stack.clock.advance(minutes=31)

    code, output = cli("status", "--stuck-after-minutes", "30")

    assert code == 0
    assert "stuck manifests (unchanged for 30 min): 1" in output
    assert f"{manifest['manifest_id']}  processing" in output


def test_a_recently_changed_manifest_is_not_stuck(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    stack.clock.advance(minutes=29)

    _, output = cli("status", "--stuck-after-minutes", "30")

    assert "stuck manifests (unchanged for 30 min): 0" in output


def test_the_oldest_pending_file_is_named_with_its_arrival_time(cli, stack, pipeline):
    (first,) = pipeline.arrive(f"in/a-{stack.today}.ndjson")
    stack.clock.advance(minutes=5)
    pipeline.arrive(f"in/b-{stack.today}.ndjson")

    _, output = cli("status")

    assert f"oldest pending file: {first} since 2024-03-10T12:00:00" in output


def test_status_of_one_date_leaves_the_other_dates_out(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.today}.ndjson", f"in/b-{stack.yesterday}.ndjson")

    _, output = cli("status", "--date", stack.today)

    assert stack.today in output
    assert stack.yesterday not in output


def test_a_malformed_date_is_refused_by_the_argument_parser(cli, capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        cli("status", "--date", "2024-13-01")

    assert exit_info.value.code == 2
    assert "not a YYYY-MM-DD date" in capsys.readouterr().err


def test_failed_manifests_are_listed_with_their_ids_and_errors(cli, stack, pipeline):
    manifest = pipeline.failed_manifest(stack.yesterday, "Glue run jr_1 FAILED: OutOfMemoryError")

    code, output = cli("status")

    assert code == 0
    assert "failed manifests: 1" in output
    assert f"{manifest['manifest_id']}  States.TaskFailed: Glue run jr_1 FAILED: OutOfMemoryError" in output
