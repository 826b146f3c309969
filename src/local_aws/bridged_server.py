"""The local AWS emulator: moto's threaded server on loopback, with this project's bridges installed."""

import json
import logging
import os
import threading
import urllib.request
from typing import Any

import boto3
from botocore.config import Config
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from local_aws import glue_runs, glue_sync, plan_drift, s3_bucket_policy, stepfunctions_api
from local_aws.glue_runs import GlueRunner

REGION = "us-east-1"
# moto accepts any credentials; fixed dummy ones keep real profiles out of every call.
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"


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


class PortInUseError(RuntimeError):
    """The requested port could not be bound."""


class _MotoServer(ThreadedMotoServer):
    # ThreadedMotoServer binds inside its thread, where werkzeug answers a failed bind with
    # sys.exit(1), and start() waits for a "ready" event that is then never set: a busy port would
    # hang forever instead of raising.
    bind_failed = False

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except (OSError, SystemExit):
            self.bind_failed = True
            self._server_ready_event.set()


class LocalAws:
    """moto server on 127.0.0.1 (a free port by default) for tests, `make ... LOCAL=1` and `make demo`.

    One instance per process at a time: moto keeps its backends, its configuration and the port its
    Step Functions interpreter calls back on (MOTO_PORT) in process-wide state.
    """

    _running: "LocalAws | None" = None

    def __init__(
        self,
        execute_state_machines: bool = True,
        glue_runner: GlueRunner | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        log_requests: bool = False,
    ) -> None:
        self.execute_state_machines = execute_state_machines
        self._glue_runner = glue_runner
        self._requested_port = port
        self.host = host
        self.log_requests = log_requests
        self._server: _MotoServer | None = None
        self._previous_moto_port: str | None = None
        self._session: boto3.session.Session | None = None
        self._session_lock = threading.Lock()

    def __enter__(self) -> "LocalAws":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if LocalAws._running is not None:
            raise RuntimeError(
                f"a LocalAws is already running in this process at {LocalAws._running.endpoint_url}; "
                "moto's state is process-wide, so share that one"
            )
        stepfunctions_api.install()
        glue_sync.install()
        glue_runs.install()
        s3_bucket_policy.install()
        plan_drift.install()
        # werkzeug logs one line per request: thousands during an apply or a demo.
        logging.getLogger("werkzeug").setLevel(logging.INFO if self.log_requests else logging.WARNING)
        server = _MotoServer(ip_address=self.host, port=self._requested_port, verbose=False)
        server.start()
        if server.bind_failed:
            raise PortInUseError(
                f"cannot listen on {self.host}:{self._requested_port}: address in use or not available"
            )
        self._server = server
        LocalAws._running = self
        # moto's Step Functions interpreter makes its own boto3 calls to http://localhost:$MOTO_PORT.
        self._previous_moto_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(self.port)
        glue_runs.set_runner(self._glue_runner)
        # Only state machines created while this is on are executed, so it is set before anything else.
        self._set_moto_config({"stepfunctions": {"execute_state_machine": self.execute_state_machines}})

    def stop(self) -> None:
        if self._server is None:
            return
        # The configuration outlives the server in this process (moto's in-memory mocks read it too),
        # so moto's default goes back.
        self._set_moto_config({"stepfunctions": {"execute_state_machine": False}})
        glue_runs.set_runner(None)
        self._server.stop()
        self._server = None
        LocalAws._running = None
        if self._previous_moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._previous_moto_port

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalAws is not running")
        return self._server.get_host_and_port()[1]

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return emulator_env(self.endpoint_url, self.port)

    @property
    def glue_runner(self) -> GlueRunner | None:
        return self._glue_runner

    @glue_runner.setter
    def glue_runner(self, runner: GlueRunner | None) -> None:
        self._glue_runner = runner
        if self._server is not None:
            glue_runs.set_runner(runner)

    def client(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 client bound to the emulator; keyword arguments go to boto3's client()."""
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

    def reset(self) -> None:
        """Forget every resource (moto's reset); the configuration and bridges stay."""
        self._post("/moto-api/reset", b"")

    def _set_moto_config(self, config: dict[str, Any]) -> None:
        self._post("/moto-api/config", json.dumps(config).encode())

    def _post(self, path: str, body: bytes) -> None:
        request = urllib.request.Request(f"{self.endpoint_url}{path}", data=body, method="POST")
        with urllib.request.urlopen(request) as response:
            response.read()
