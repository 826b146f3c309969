"""The rollback: STEP_FUNCTION_ARN blanked by the environment's switch, files still manifested, no execution;
after the switch is turned back, `platform-ops intake replay` starts the manifest and it completes."""

import pytest

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

DAY = "2024-01-02"


@pytest.fixture(scope="module")
def rollback(scenario, dev_deployment):
    """Observations at each step: during the rollback, and after restore + replay."""
    observed = {}
    dev_deployment.apply(blank_step_function_arn=True)
    observed["function_arn_during_rollback"] = dev_deployment.pipeline.function_environment()[
        "STEP_FUNCTION_ARN"
    ]
    files = sample_data.uniform_files(DAY, count=2, lines_per_file=30, seed=2)
    scenario.upload(files)
    scenario.run()
    observed["during"] = scenario.items(DAY)
    observed["executions_during"] = scenario.executions_of(list(observed["during"]["manifests"]))

    dev_deployment.apply(blank_step_function_arn=False)
    observed["replay_exit_code"] = scenario.platform_ops_intake("replay", "--date", DAY)
    dev_deployment.pipeline.wait_for_executions(timeout_seconds=240)
    observed["after"] = scenario.items(DAY)
    observed["rows"] = dev_deployment.parquet_rows_by_date().get(DAY)
    observed["expected_rows"] = sum(f.valid_lines for f in files)
    return observed


def test_the_rollback_switch_deploys_the_function_with_step_function_arn_blank(rollback):
    assert rollback["function_arn_during_rollback"] == ""


def test_during_the_rollback_files_are_manifested_and_no_execution_starts(rollback):
    during = rollback["during"]

    assert {f.status for f in during["files"].values()} == {"manifested"}
    assert {m.status for m in during["manifests"].values()} == {"manifested"}
    assert rollback["executions_during"] == []


def test_after_restore_replay_completes_the_manifests(rollback):
    assert rollback["replay_exit_code"] == 0
    assert {m.status for m in rollback["after"]["manifests"].values()} == {"completed"}
    assert rollback["rows"] == rollback["expected_rows"]
