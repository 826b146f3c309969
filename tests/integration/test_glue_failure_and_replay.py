"""A Glue run that fails: the manifest ends failed, an alert reaches the alerts topic's subscribers, and
`platform-ops intake replay` runs the manifest again to completion once the cause is gone."""

import json

import pytest

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

DAY = "2024-01-03"


def _broken_glue(job_name, arguments):
    raise RuntimeError(f"injected failure of {job_name} for {arguments['--MANIFEST_PATH']}")


@pytest.fixture(scope="module")
def failure(scenario, dev_deployment):
    observed = {}
    read_alerts = scenario.alerts_queue("integration-alerts-observer")
    spark_runner = dev_deployment.aws.glue_runner
    dev_deployment.aws.glue_runner = _broken_glue
    try:
        files = sample_data.uniform_files(DAY, count=2, lines_per_file=25, seed=3)
        scenario.upload(files)
        scenario.run()
    finally:
        dev_deployment.aws.glue_runner = spark_runner
    observed["failed"] = scenario.items(DAY)
    # Every event the failure put on the buses goes to its rules first: none of them alerts again.
    dev_deployment.pipeline.deliver_events()
    observed["alerts"] = read_alerts()

    observed["replay_exit_code"] = scenario.platform_ops_intake("replay", "--date", DAY)
    dev_deployment.pipeline.wait_for_executions(timeout_seconds=240)
    observed["after"] = scenario.items(DAY)
    observed["executions"] = scenario.executions_of(list(observed["after"]["manifests"]))
    observed["rows"] = dev_deployment.parquet_rows_by_date().get(DAY)
    observed["expected_rows"] = sum(f.valid_lines for f in files)
    return observed


def test_the_manifest_is_failed_with_the_glue_error(failure):
    (manifest,) = failure["failed"]["manifests"].values()

    assert manifest.status == "failed"
    assert manifest.error == "States.TaskFailed"
    assert "injected failure" in manifest.error_cause


def test_one_failure_alert_arrives_saying_what_failed_and_how_to_replay_it(failure):
    (manifest_id,) = failure["failed"]["manifests"]

    (alert,) = failure["alerts"]

    assert alert["Subject"] == "NDJSON intake: manifest processing failed"
    message = json.loads(alert["Message"])
    assert "injected failure" in message["error"]["Cause"]
    assert (
        message["replay"]
        == f"once the cause is fixed: platform-ops intake replay --manifest-id {manifest_id}"
    )


def test_replay_runs_the_failed_manifest_again_to_completion(failure):
    (manifest,) = failure["after"]["manifests"].values()

    assert failure["replay_exit_code"] == 0
    assert manifest.status == "completed"
    assert sorted((e["name"], e["status"]) for e in failure["executions"]) == [
        (manifest.manifest_id, "FAILED"),
        (f"{manifest.manifest_id}-replay-1", "SUCCEEDED"),
    ]
    assert failure["rows"] == failure["expected_rows"]
