"""The local AWS emulator for tests, `make ... LOCAL=1` and `make demo`: moto with this project's bridges,
on loopback, in a process of its own.

Its own process because moto's state is process-wide: `mock_aws`, which unit tests use in the same
pytest process, resets every backend when it starts and stops (an applied stack would vanish
between two tests), and the Step Functions execution mode would leak into those mocks.
"""

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from typing import IO, Any

import boto3
from botocore.config import Config

from local_aws.bridged_server import PortInUseError
from local_aws.bridges.glue import GlueRunner
from local_aws.runner_endpoint import RunnerEndpoint

REGION = "us-east-1"
# moto accepts any credentials; fixed dummy ones keep real profiles out of every call.
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"
# `local-aws serve` exits with this status when it cannot bind its port.
EXIT_PORT_IN_USE = 3
STARTUP_TIMEOUT_SECONDS = 60
_READY_LINE = re.compile(r"serving on http://\S+:(\d+) ")


def emulator_env(endpoint_url: str, port: int) -> dict[str, str]:
    """Environment that points AWS SDKs, the AWS CLI and Terraform's AWS provider at the emulator."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Without it every SDK first probes the EC2 metadata endpoint for credentials and region.
        "AWS_EC2_METADATA_DISABLED": "true",
        "MOTO_PORT": str(port),
    }


class EmulatorClients:
    """boto3 clients bound to the emulator at `endpoint_url`, with its dummy credentials and region."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._session: boto3.session.Session | None = None
        self._session_lock = threading.Lock()

    def __call__(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 client; keyword arguments go to boto3's client()."""
        kwargs.setdefault("config", Config(retries={"max_attempts": 2, "mode": "standard"}))
        # One session for all clients: a new session loads botocore's models again (about 0.3 s a
        # client); a session is not thread-safe, hence the lock.
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session(
                    aws_access_key_id=ACCESS_KEY_ID,
                    aws_secret_access_key=SECRET_ACCESS_KEY,
                    region_name=REGION,
                )
            return self._session.client(service_name, endpoint_url=self.endpoint_url, **kwargs)


class LocalAws:
    """The emulator on 127.0.0.1 (a free port by default), started and stopped with this object.

    `glue_runner(job_name, arguments)`, a callable of this process, does each Glue job run
    (runner_endpoint.py); settable at any time.
    """

    def __init__(
        self,
        execute_state_machines: bool = True,
        glue_runner: GlueRunner | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        log_requests: bool = False,
        process_env: Mapping[str, str] | None = None,
    ) -> None:
        """`process_env`: the emulator process's environment (default: this process's, when it starts)."""
        self.execute_state_machines = execute_state_machines
        self._process_env = dict(process_env) if process_env is not None else None
        self.glue_runner = glue_runner
        self._requested_port = port
        self.host = host
        self.log_requests = log_requests
        self._process: subprocess.Popen | None = None
        self._port: int | None = None
        self._runner_endpoint = RunnerEndpoint(lambda: self.glue_runner)
        self._clients: EmulatorClients | None = None

    def __enter__(self) -> "LocalAws":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError(f"this LocalAws is already running at {self.endpoint_url}")
        command = [
            sys.executable,
            "-m",
            "local_aws",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self._requested_port),
            "--glue-runner-url",
            self._runner_endpoint.start(),
            "--stop-with-pid",
            str(os.getpid()),
        ]
        if not self.execute_state_machines:
            command.append("--no-execute-state-machines")
        if self.log_requests:
            command.append("--log-requests")
        # stderr is inherited: the emulator's warnings and failed states show where this process's do.
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=self._process_env)
        try:
            self._port = self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self) -> int:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while select.select([self._process.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            line = self._process.stdout.readline()
            if not line:  # end of output: the emulator exited
                if self._process.wait(timeout=30) == EXIT_PORT_IN_USE:
                    raise PortInUseError(
                        f"cannot listen on {self.host}:{self._requested_port}: address in use"
                    )
                raise RuntimeError(f"the emulator exited with status {self._process.returncode}; see stderr")
            if match := _READY_LINE.search(line):
                # moto prints some warnings on stdout: keep reading, or the emulator would block on a
                # full pipe, and pass them on where they can be seen.
                threading.Thread(
                    target=_forward, args=(self._process.stdout,), name="emulator-output", daemon=True
                ).start()
                return int(match[1])
            sys.stderr.write(line)
        raise RuntimeError(f"the emulator did not answer within {STARTUP_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGTERM)
                try:
                    self._process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
            self._port = None
        self._runner_endpoint.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalAws is not running")
        return self._port

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return emulator_env(self.endpoint_url, self.port)

    def client(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 client bound to the emulator; keyword arguments go to boto3's client()."""
        if self._clients is None or self._clients.endpoint_url != self.endpoint_url:
            self._clients = EmulatorClients(self.endpoint_url)
        return self._clients(service_name, **kwargs)

    def reset(self) -> None:
        """Forget every resource (moto's reset); the configuration and bridges stay."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request) as response:
            response.read()


def _forward(output: IO[str]) -> None:
    with output:
        for line in output:
            sys.stderr.write(line)
