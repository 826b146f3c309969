"""moto's threaded server in this process, with this project's bridges installed.

This is what `local-aws serve` runs. Tests and the demo use `LocalAws` (server.py), which runs it in a
process of its own.
"""

import json
import logging
import os
import urllib.request
from collections.abc import Callable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from local_aws import bridges
from local_aws.bridges import glue
from local_aws.bridges.glue import GlueRunner


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


class BridgedMotoServer:
    """moto server on HOST:PORT (a free port by default) in this process, bridges installed.

    One per process at a time: moto keeps its backends, its configuration and the port its Step
    Functions interpreter calls back on (MOTO_PORT) in process-wide state, which moto's in-memory
    mocks (`mock_aws`) share and reset.
    """

    _running: "BridgedMotoServer | None" = None

    def __init__(
        self,
        execute_state_machines: bool = True,
        port: int = 0,
        host: str = "127.0.0.1",
        log_requests: bool = False,
        glue_runner_lookup: Callable[[], GlueRunner | None] | None = None,
    ) -> None:
        self.execute_state_machines = execute_state_machines
        self._requested_port = port
        self.host = host
        self.log_requests = log_requests
        self.glue_runner_lookup = glue_runner_lookup
        self._server: _MotoServer | None = None
        self._previous_moto_port: str | None = None

    def __enter__(self) -> "BridgedMotoServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if BridgedMotoServer._running is not None:
            raise RuntimeError(
                f"a moto server already runs in this process at {BridgedMotoServer._running.endpoint_url}; "
                "moto's state is process-wide"
            )
        bridges.install()
        # werkzeug logs one line per request: thousands during an apply or a demo.
        logging.getLogger("werkzeug").setLevel(logging.INFO if self.log_requests else logging.WARNING)
        server = _MotoServer(ip_address=self.host, port=self._requested_port, verbose=False)
        server.start()
        if server.bind_failed:
            raise PortInUseError(
                f"cannot listen on {self.host}:{self._requested_port}: address in use or not available"
            )
        self._server = server
        BridgedMotoServer._running = self
        # moto's Step Functions interpreter makes its own boto3 calls to http://localhost:$MOTO_PORT.
        self._previous_moto_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(self.port)
        glue.set_runner_lookup(self.glue_runner_lookup)
        # Only state machines created while this is on are executed, so it is set before anything else.
        self._set_moto_config({"stepfunctions": {"execute_state_machine": self.execute_state_machines}})

    def stop(self) -> None:
        if self._server is None:
            return
        # The configuration outlives the server in this process (moto's in-memory mocks read it too),
        # so moto's default goes back.
        self._set_moto_config({"stepfunctions": {"execute_state_machine": False}})
        glue.set_runner_lookup(None)
        self._server.stop()
        self._server = None
        BridgedMotoServer._running = None
        if self._previous_moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._previous_moto_port

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server.get_host_and_port()[1]

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _set_moto_config(self, config: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/config", data=json.dumps(config).encode(), method="POST"
        )
        with urllib.request.urlopen(request) as response:
            response.read()
