"""Each Glue StartJobRun is done by the emulator's glue_runner, whose outcome becomes the run's state."""

import threading
import time

import pytest

pytestmark = pytest.mark.emulator


def _job_run(local_aws, job_name: str, run_id: str) -> dict:
    return local_aws.client("glue").get_job_run(JobName=job_name, RunId=run_id)["JobRun"]


def _wait_until_finished(local_aws, job_name: str, run_id: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while (job_run := _job_run(local_aws, job_name, run_id))["JobRunState"] == "RUNNING":
        assert time.monotonic() < deadline, f"job run still RUNNING after {timeout} s"
        time.sleep(0.05)
    return job_run


def test_without_a_runner_job_runs_succeed_as_moto_makes_them(local_aws, glue_job, use_glue_runner):
    use_glue_runner(None)

    run_id = local_aws.client("glue").start_job_run(JobName=glue_job)["JobRunId"]

    assert _job_run(local_aws, glue_job, run_id)["JobRunState"] == "SUCCEEDED"


def test_runner_gets_the_job_name_and_default_arguments_merged_with_run_arguments(
    local_aws, glue_job, use_glue_runner
):
    calls = []
    use_glue_runner(lambda job_name, arguments: calls.append((job_name, arguments)))

    run_id = local_aws.client("glue").start_job_run(
        JobName=glue_job,
        Arguments={"--MANIFEST_PATH": "s3://manifests/m.json", "--COMPRESSION_TYPE": "zstd"},
    )["JobRunId"]
    _wait_until_finished(local_aws, glue_job, run_id)

    assert calls == [
        (
            glue_job,
            {
                "--OUTPUT_BUCKET": "output",
                "--COMPRESSION_TYPE": "zstd",
                "--MANIFEST_PATH": "s3://manifests/m.json",
            },
        )
    ]


def test_job_run_is_running_until_the_runner_returns_then_succeeded(local_aws, glue_job, use_glue_runner):
    release = threading.Event()
    use_glue_runner(lambda job_name, arguments: release.wait(10))

    run_id = local_aws.client("glue").start_job_run(JobName=glue_job)["JobRunId"]
    running = _job_run(local_aws, glue_job, run_id)
    release.set()
    finished = _wait_until_finished(local_aws, glue_job, run_id)

    assert running["JobRunState"] == "RUNNING"
    assert "CompletedOn" not in running
    assert finished["JobRunState"] == "SUCCEEDED"
    assert "ErrorMessage" not in finished


def test_job_run_fails_with_the_runner_exception_text_as_error_message(local_aws, glue_job, use_glue_runner):
    def failing_runner(job_name, arguments):
        raise ValueError("manifest s3://manifests/m.json lists no files")

    use_glue_runner(failing_runner)

    run_id = local_aws.client("glue").start_job_run(JobName=glue_job)["JobRunId"]
    finished = _wait_until_finished(local_aws, glue_job, run_id)

    assert finished["JobRunState"] == "FAILED"
    assert finished["ErrorMessage"] == "manifest s3://manifests/m.json lists no files"


def test_runner_that_exits_still_fails_its_job_run(local_aws, glue_job, use_glue_runner):
    def exiting_runner(job_name, arguments):
        raise SystemExit(2)

    use_glue_runner(exiting_runner)

    run_id = local_aws.client("glue").start_job_run(JobName=glue_job)["JobRunId"]

    assert _wait_until_finished(local_aws, glue_job, run_id)["JobRunState"] == "FAILED"


def test_a_second_run_while_the_first_runs_exceeds_max_concurrent_runs(local_aws, glue_job, use_glue_runner):
    release = threading.Event()
    use_glue_runner(lambda job_name, arguments: release.wait(10))
    glue = local_aws.client("glue")
    first_run_id = glue.start_job_run(JobName=glue_job)["JobRunId"]

    try:
        with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
            glue.start_job_run(JobName=glue_job)
    finally:
        release.set()
        _wait_until_finished(local_aws, glue_job, first_run_id)


def test_a_connection_is_described_with_its_type(local_aws, unique_name):
    glue = local_aws.client("glue")
    glue.create_connection(
        ConnectionInput={
            "Name": unique_name,
            "ConnectionType": "NETWORK",
            "ConnectionProperties": {},
            "PhysicalConnectionRequirements": {
                "AvailabilityZone": "us-east-1a",
                "SubnetId": "subnet-0a4e1c9d2b7f63815",
                "SecurityGroupIdList": ["sg-0e7d3b5a1c9f24860"],
            },
        }
    )
    assert glue.get_connection(Name=unique_name)["Connection"]["ConnectionType"] == "NETWORK"
