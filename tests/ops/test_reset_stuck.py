"""`platform-ops intake reset-stuck`: a manifest whose execution ended with no outcome becomes failed."""

import pytest


@pytest.fixture
def processing_manifest(stack, pipeline) -> dict:
    """A manifest whose execution marked it processing two hours ago."""
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    manifest = pipeline.only_manifest(stack.yesterday)
    pipeline.set_manifest(stack.yesterday, manifest["manifest_id"], status="processing")
    stack.clock.advance(hours=2)
    return pipeline.only_manifest(stack.yesterday)


def test_a_manifest_whose_execution_ended_is_marked_failed(cli, stack, pipeline, processing_manifest):
    stack.clients.stepfunctions.stop_execution(executionArn=processing_manifest["execution_arn"])

    code, output = cli("reset-stuck", "--stuck-after-minutes", "60")

    assert code == 0
    item = pipeline.only_manifest(stack.yesterday)
    assert item["status"] == "failed"
    assert item["error"] == "StuckReset"
    assert "execution is ABORTED" in item["error_cause"]
    assert "reset 1 manifest(s) to failed" in output


def test_a_reset_manifest_is_replayed_by_replay(cli, stack, pipeline, processing_manifest):
    stack.clients.stepfunctions.stop_execution(executionArn=processing_manifest["execution_arn"])
    cli("reset-stuck", "--stuck-after-minutes", "60")

    cli("replay")

    assert pipeline.execution(f"{processing_manifest['manifest_id']}-replay-1")["status"] == "RUNNING"


def test_a_manifest_whose_execution_still_runs_is_left_alone(cli, stack, pipeline, processing_manifest):
    code, output = cli("reset-stuck", "--stuck-after-minutes", "60")

    assert code == 0
    assert pipeline.only_manifest(stack.yesterday)["status"] == "processing"
    assert "still running" in output


def test_a_manifest_younger_than_the_threshold_is_not_stuck(cli, stack, pipeline, processing_manifest):
    stack.clients.stepfunctions.stop_execution(executionArn=processing_manifest["execution_arn"])

    code, output = cli("reset-stuck", "--stuck-after-minutes", "180")

    assert code == 0
    assert pipeline.only_manifest(stack.yesterday)["status"] == "processing"
    assert "no stuck manifests" in output


def test_a_never_started_manifest_is_left_for_replay(cli, stack, pipeline):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson", STEP_FUNCTION_ARN="")
    stack.clock.advance(hours=3)

    _, output = cli("reset-stuck", "--stuck-after-minutes", "60")

    assert pipeline.only_manifest(stack.yesterday)["status"] == "manifested"
    assert "`replay` starts it" in output


def test_dry_run_changes_nothing(cli, stack, pipeline, processing_manifest):
    stack.clients.stepfunctions.stop_execution(executionArn=processing_manifest["execution_arn"])

    code, output = cli("reset-stuck", "--stuck-after-minutes", "60", "--dry-run")

    assert code == 0
    assert pipeline.only_manifest(stack.yesterday)["status"] == "processing"
    assert "would be reset to failed" in output
