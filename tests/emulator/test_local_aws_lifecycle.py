"""LocalAws starts moto on a free loopback port, points SDKs at it, resets and stops.

Lifecycle checks that would disturb the session's shared emulator run in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
import textwrap

import boto3
import pytest

from local_aws import LocalAws

pytestmark = pytest.mark.emulator


def _run_python(code: str, **environment: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_server_listens_on_a_free_loopback_port_and_stops_on_exit_restoring_moto_port():
    facts = _run_python(
        """
        import json, os, socket
        from local_aws import LocalAws

        with LocalAws() as aws:
            port = aws.port
            buckets = aws.client("s3").list_buckets()["Buckets"]
            moto_port_while_running = os.environ["MOTO_PORT"]
        with socket.socket() as probe:
            accepts_after_exit = probe.connect_ex(("127.0.0.1", port)) == 0
        print(json.dumps({"port": port, "host": aws.host, "buckets": buckets,
                          "moto_port": moto_port_while_running, "moto_port_after": os.environ["MOTO_PORT"],
                          "accepts_after_exit": accepts_after_exit}))
        """,
        MOTO_PORT="5000",
    )

    assert facts["port"] > 0
    assert facts["host"] == "127.0.0.1"
    assert facts["buckets"] == []
    assert facts["moto_port"] == str(facts["port"])
    assert facts["moto_port_after"] == "5000"
    assert facts["accepts_after_exit"] is False


def test_reset_forgets_every_resource():
    facts = _run_python(
        """
        import json
        from local_aws import LocalAws

        with LocalAws() as aws:
            aws.client("s3").create_bucket(Bucket="input")
            aws.reset()
            print(json.dumps({"buckets": aws.client("s3").list_buckets()["Buckets"]}))
        """
    )

    assert facts["buckets"] == []


def test_env_points_aws_sdks_at_the_emulator(local_aws, local_aws_env, unique_name):
    local_aws.client("s3").create_bucket(Bucket=unique_name)

    # boto3 takes endpoint, credentials and region from the environment alone.
    buckets = boto3.session.Session().client("s3").list_buckets()["Buckets"]

    assert unique_name in [bucket["Name"] for bucket in buckets]
    assert local_aws_env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{local_aws.port}"
    assert local_aws_env["MOTO_PORT"] == str(local_aws.port)
    assert local_aws_env["AWS_REGION"] == local_aws_env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_a_second_emulator_in_the_same_process_is_refused(local_aws):
    with pytest.raises(RuntimeError, match="already running in this process"):
        LocalAws().start()
