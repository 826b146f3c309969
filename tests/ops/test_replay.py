"""`platform-ops intake replay`: start manifests the rollback left manifested, and failed ones again."""


def _rolled_back_manifest(stack, pipeline) -> dict:
    """Files of a past date manifested while STEP_FUNCTION_ARN was blank: no execution started."""
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", f"in/b-{stack.yesterday}.ndjson", STEP_FUNCTION_ARN="")
    return pipeline.only_manifest(stack.yesterday)


def _failed_manifest(stack, pipeline) -> dict:
    return pipeline.failed_manifest(stack.yesterday, "Glue job run failed", failed_at="2024-03-10T12:01:00Z")


def test_a_manifest_left_by_the_rollback_starts_under_its_own_name(cli, stack, pipeline):
    manifest = _rolled_back_manifest(stack, pipeline)
    assert stack.executions() == []

    code, output = cli("replay")

    assert code == 0
    execution = pipeline.execution(manifest["manifest_id"])
    assert execution["status"] == "RUNNING"
    assert pipeline.only_manifest(stack.yesterday)["execution_arn"] == execution["executionArn"]
    assert "started 1 execution(s)" in output


def test_the_replayed_execution_gets_the_input_the_manifest_builder_gives(cli, stack, pipeline):
    import json

    manifest = _rolled_back_manifest(stack, pipeline)

    cli("replay")

    execution_input = json.loads(pipeline.execution(manifest["manifest_id"])["input"])
    assert execution_input["manifest_path"] == manifest["manifest_path"]
    assert execution_input["date_prefix"] == stack.yesterday
    assert execution_input["file_count"] == 2


def test_a_failed_manifest_starts_as_a_numbered_replay_and_its_failure_is_cleared(cli, stack, pipeline):
    manifest = _failed_manifest(stack, pipeline)

    code, _ = cli("replay")

    assert code == 0
    replayed = pipeline.execution(f"{manifest['manifest_id']}-replay-1")
    item = pipeline.only_manifest(stack.yesterday)
    assert item["status"] == "manifested"
    assert item["execution_arn"] == replayed["executionArn"]
    assert "error" not in item and "failed_at" not in item
    assert [replay["previous_status"] for replay in item["replays"]] == ["failed"]


def test_a_second_failure_replays_under_the_next_number(cli, stack, pipeline):
    manifest = _failed_manifest(stack, pipeline)
    cli("replay")
    pipeline.set_manifest(stack.yesterday, manifest["manifest_id"], status="failed")

    cli("replay")

    assert pipeline.execution(f"{manifest['manifest_id']}-replay-2")["status"] == "RUNNING"
    assert len(pipeline.only_manifest(stack.yesterday)["replays"]) == 2


def test_a_started_manifest_is_not_replayed(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")

    code, output = cli("replay")

    assert code == 0
    assert "nothing to replay" in output
    assert len(stack.executions()) == 1


def test_dry_run_names_the_executions_and_starts_none(cli, stack, pipeline):
    manifest = _rolled_back_manifest(stack, pipeline)

    code, output = cli("replay", "--dry-run")

    assert code == 0
    assert f"would start {manifest['manifest_id']} (manifested, {stack.yesterday})" in output
    assert stack.executions() == []
    assert "execution_arn" not in pipeline.only_manifest(stack.yesterday)


def test_only_the_named_manifest_is_replayed(cli, stack, pipeline):
    first = _failed_manifest(stack, pipeline)
    pipeline.arrive(f"in/c-{stack.yesterday}.ndjson", STEP_FUNCTION_ARN="")

    cli("replay", "--manifest-id", first["manifest_id"])

    assert [
        e["name"]
        for e in stack.clients.stepfunctions.list_executions(stateMachineArn=stack.state_machine_arn)[
            "executions"
        ]
        if "replay" in e["name"]
    ] == [f"{first['manifest_id']}-replay-1"]
    assert len(stack.executions()) == 2  # the first's original execution and its replay


def test_with_the_state_machine_arn_blank_the_error_names_the_flag(cli, stack, pipeline):
    _rolled_back_manifest(stack, pipeline)

    code, output = cli("replay", STEP_FUNCTION_ARN="")

    assert code == 2
    assert "--state-machine-arn" in output
    assert stack.executions() == []


def test_the_flag_supplies_the_state_machine_while_the_function_has_it_blank(cli, stack, pipeline):
    manifest = _rolled_back_manifest(stack, pipeline)

    code, _ = cli("replay", "--state-machine-arn", stack.state_machine_arn, STEP_FUNCTION_ARN="")

    assert code == 0
    assert pipeline.execution(manifest["manifest_id"])["status"] == "RUNNING"


def test_a_start_that_fails_is_reported_and_the_manifest_stays_replayable(cli, stack, pipeline):
    manifest = _rolled_back_manifest(stack, pipeline)
    missing = stack.state_machine_arn.replace("intake-pipeline", "deleted-pipeline")

    code, output = cli("replay", "--state-machine-arn", missing)

    assert code == 1
    assert f"could not start {manifest['manifest_id']}" in output
    item = pipeline.only_manifest(stack.yesterday)
    assert item["status"] == "manifested" and "execution_arn" not in item
