"""A Glue run that fails: the manifest ends failed, alerts reach the alerts topic's subscribers (the state
machine's, and the intake's EventBridge rule on Glue's state change events), and `platform-ops intake replay`
runs the manifest again to completion once the cause is gone."""

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
    dev_deployment.pipeline.deliver_events()
    observed["alerts"] = read_alerts()
    (manifest_id,) = observed["failed"]["manifests"]
    pages = dev_deployment.aws.client("glue").get_paginator("get_job_runs")
    observed["failed_runs"] = {
        run["Id"]
        for page in pages.paginate(JobName=dev_deployment.outputs["glue_job_name"])
        for run in page["JobRuns"]
        if run["JobRunState"] == "FAILED" and manifest_id in run["Arguments"]["--MANIFEST_PATH"]
    }

    observed["replay_exit_code"] = scenario.platform_ops_intake("replay", "--date", DAY)
    dev_deployment.pipeline.wait_for_executions(timeout_seconds=240)
    observed["after"] = scenario.items(DAY)
    observed["executions"] = scenario.executions_of(list(observed["after"]["manifests"]))
    observed["rows"] = dev_deployment.parquet_rows_by_date().get(DAY)
    observed["expected_rows"] = sum(f.valid_lines for f in files)
    return observed


def test_the_manifest_is_failed_with_the_glue_error(failure):
    (manifest,) = failure["failed"]["manifests"].values()

    assert manifest["status"] == "failed"
    assert manifest["error"] == "States.TaskFailed"
    assert "injected failure" in manifest["error_cause"]


def _manifest_alerts(alerts):
    return [alert for alert in alerts if alert.get("Subject") == "NDJSON intake: manifest processing failed"]


def test_the_failure_alert_arrives_in_a_queue_subscribed_to_the_alerts_topic(failure):
    (manifest_id,) = failure["failed"]["manifests"]

    (alert,) = _manifest_alerts(failure["alerts"])

    assert alert["Subject"] == "NDJSON intake: manifest processing failed"
    assert manifest_id in alert["Message"]


def test_each_failed_glue_run_of_the_manifest_raises_the_glue_job_failed_event_alert(failure):
    events = [
        json.loads(alert["Message"])
        for alert in failure["alerts"]
        if alert not in _manifest_alerts(failure["alerts"])
    ]
    alerted_runs = {
        event["detail"]["jobRunId"]
        for event in events
        if event["detail-type"] == "Glue Job State Change"
        and event["detail"]["jobRunId"] in failure["failed_runs"]
    }

    assert failure["failed_runs"]
    assert alerted_runs == failure["failed_runs"]


def test_replay_runs_the_failed_manifest_again_to_completion(failure):
    (manifest,) = failure["after"]["manifests"].values()

    assert failure["replay_exit_code"] == 0
    assert manifest["status"] == "completed"
    assert sorted((e["name"], e["status"]) for e in failure["executions"]) == [
        (manifest["manifest_id"], "FAILED"),
        (f"{manifest['manifest_id']}-replay-1", "SUCCEEDED"),
    ]
    assert failure["rows"] == failure["expected_rows"]
