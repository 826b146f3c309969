"""LocalAws runs the emulator in its own process on a free loopback port, and stops it."""

import os
import socket
import urllib.request

import boto3
import pytest
from moto import mock_aws
from moto.core.config import default_user_config

from local_aws import LocalAws, PortInUseError
from local_aws.bridged_server import BridgedMotoServer

pytestmark = pytest.mark.emulator


def _accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_emulator_serves_on_a_free_loopback_port_until_its_context_ends():
    with LocalAws() as aws:
        port = aws.port
        with urllib.request.urlopen(f"{aws.endpoint_url}/moto-api/data.json", timeout=5) as response:
            status = response.status

    assert aws.host == "127.0.0.1"
    assert status == 200
    assert not _accepts_connections(port)


def test_reset_forgets_every_resource():
    with LocalAws() as aws:
        aws.client("s3").create_bucket(Bucket="input")
        aws.reset()

        assert aws.client("s3").list_buckets()["Buckets"] == []


def test_a_busy_port_raises_port_in_use_error(local_aws):
    with pytest.raises(PortInUseError, match=f"127.0.0.1:{local_aws.port}"):
        LocalAws(port=local_aws.port).start()


def test_mock_aws_in_this_process_leaves_the_emulator_alone(local_aws, unique_name):
    local_aws.client("s3").create_bucket(Bucket=unique_name)

    with mock_aws():
        execute_mode_in_the_mock = default_user_config["stepfunctions"]["execute_state_machine"]

    assert unique_name in [bucket["Name"] for bucket in local_aws.client("s3").list_buckets()["Buckets"]]
    assert execute_mode_in_the_mock is False


def test_env_points_aws_sdks_at_the_emulator(local_aws, local_aws_env, unique_name):
    local_aws.client("s3").create_bucket(Bucket=unique_name)

    # boto3 takes endpoint, credentials and region from the environment alone.
    buckets = boto3.session.Session().client("s3").list_buckets()["Buckets"]

    assert unique_name in [bucket["Name"] for bucket in buckets]
    assert local_aws_env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{local_aws.port}"
    assert local_aws_env["MOTO_PORT"] == str(local_aws.port)
    assert local_aws_env["AWS_REGION"] == local_aws_env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_in_process_server_sets_moto_port_while_it_runs_and_restores_it(monkeypatch):
    monkeypatch.setenv("MOTO_PORT", "5000")

    with BridgedMotoServer() as server:
        port, moto_port_while_running = server.port, os.environ["MOTO_PORT"]

    assert moto_port_while_running == str(port)
    assert os.environ["MOTO_PORT"] == "5000"


def test_a_second_in_process_server_is_refused(in_process_moto):
    with pytest.raises(RuntimeError, match="already runs in this process"):
        BridgedMotoServer().start()
