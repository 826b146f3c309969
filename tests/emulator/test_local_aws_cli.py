"""`local-aws serve` runs the emulator until SIGTERM; `local-aws env` prints its environment;
`local-aws prepare` makes an environment's scratch copy with local state."""

import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid

import pytest

from local_aws.__main__ import main
from local_aws.server import EXIT_PORT_IN_USE
from local_aws.stack import REPO_ROOT, LocalStack

pytestmark = pytest.mark.emulator

TERRAFORM_FILES = (".tf", ".tfvars", ".tfstate")
EARLIER_STATE = '{"version": 4, "serial": 3, "lineage": "earlier-apply", "outputs": {}, "resources": []}\n'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "local_aws", "serve", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_answers_until_sigterm_and_removes_its_pidfile(tmp_path):
    port, pidfile = _free_port(), tmp_path / "local-aws.pid"
    server = _serve("--port", str(port), "--pidfile", str(pidfile))
    try:
        ready_line = server.stdout.readline()
        pid_while_serving = pidfile.read_text().strip()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=5) as response:
            status_while_serving = response.status
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=15)
    finally:
        server.kill()

    assert ready_line.startswith(f"local-aws: serving on http://127.0.0.1:{port}")
    assert pid_while_serving == str(server.pid)
    assert status_while_serving == 200
    assert exit_code == 0
    assert not pidfile.exists()


def test_serve_stops_when_the_process_it_watches_ends():
    watched = subprocess.Popen(["sleep", "60"])
    server = _serve("--port", "0", "--stop-with-pid", str(watched.pid))
    try:
        ready_line = server.stdout.readline()
        watched.kill()
        watched.wait()
        exit_code = server.wait(timeout=15)
    finally:
        watched.kill()
        server.kill()

    assert "serving on" in ready_line
    assert exit_code == 0


def test_serve_on_a_busy_port_exits_with_a_clear_error(local_aws):
    server = _serve("--port", str(local_aws.port))
    try:
        exit_code = server.wait(timeout=30)
    finally:
        server.kill()

    assert exit_code == EXIT_PORT_IN_USE
    assert f"cannot listen on 127.0.0.1:{local_aws.port}" in server.stderr.read()


def test_env_prints_export_lines_for_the_port(capsys):
    assert main(["env", "--port", "4599"]) == 0

    exports = dict(
        shlex.split(line.removeprefix("export "))[0].split("=", 1)
        for line in capsys.readouterr().out.splitlines()
    )
    assert exports["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4599"
    assert exports["MOTO_PORT"] == "4599"
    assert exports["AWS_ACCESS_KEY_ID"] == "testing"


def test_prepare_replaces_the_environment_copy_with_local_state_and_keeps_an_earlier_apply(capsys):
    workspace = f"test-prepare-{uuid.uuid4().hex[:8]}"
    stack = LocalStack({}, "dev", workspace)
    try:
        assert main(["prepare", "--environment", "dev", "--workspace", workspace]) == 0
        (stack.workdir / "terraform.tfstate").write_text(EARLIER_STATE)
        (stack.workdir / "stale.tf").write_text("# removed from the environment since\n")
        assert main(["prepare", "--environment", "dev", "--workspace", workspace]) == 0
        copied = sorted(path.name for path in stack.workdir.iterdir() if path.suffix in TERRAFORM_FILES)
        override = (stack.workdir / "local_emulator_override.tf").read_text()
        state = (stack.workdir / "terraform.tfstate").read_text()
    finally:
        stack.remove()
    environment = (REPO_ROOT / "environments" / "dev").iterdir()
    assert copied == sorted(
        [path.name for path in environment if path.suffix in TERRAFORM_FILES]
        + ["local_emulator_override.tf", "terraform.tfstate"]
    )
    assert 'backend "local" {}' in override
    assert state == EARLIER_STATE
    assert f".local/{workspace} is ready" in capsys.readouterr().out
