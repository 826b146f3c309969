"""The Glue runner seam between the process that starts the emulator and the emulator's own process.

`LocalAws` runs moto in a process of its own (server.py), but a Glue runner is a Python callable of
the starting process: a fake in a test, the real job on local Spark in the demo. The starting process
serves its runner on a loopback HTTP endpoint (`RunnerEndpoint`); for each StartJobRun, the emulator's
process asks it whether a runner is set (GET) and, if so, has it do the run (POST), which answers once
the runner has returned or raised (`EndpointRunner`).
"""

import json
import logging
import threading
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local_aws.bridges.glue import GlueRunner

logger = logging.getLogger(__name__)


class GlueRunFailed(RuntimeError):
    """The runner raised; the message is its exception's text."""


class RunnerEndpoint:
    """Serves `current_runner()` on http://127.0.0.1:<free port>/ for the emulator's process."""

    def __init__(self, current_runner: Callable[[], GlueRunner | None]) -> None:
        self.current_runner = current_runner
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply({"runner": endpoint.current_runner() is not None})

            def do_POST(self) -> None:
                run = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self._reply(endpoint.run(run["job_name"], run["arguments"]))

            def _reply(self, answer: dict[str, Any]) -> None:
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one line per Glue run on stderr says nothing the job run's state does not

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="glue-runner-endpoint", daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def run(self, job_name: str, arguments: dict[str, str]) -> dict[str, str]:
        runner = self.current_runner()
        if runner is None:  # taken away since the emulator asked: the run ends as moto's would
            return {}
        try:
            runner(job_name, arguments)
        # A runner that exits or is interrupted must still end its run, or its execution waits forever.
        except BaseException as error:
            logger.exception("Glue runner failed for job %s", job_name)
            return {"error": str(error) or type(error).__name__}
        return {}

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class EndpointRunner:
    """In the emulator's process: the runner behind a `RunnerEndpoint` URL."""

    def __init__(self, url: str) -> None:
        self.url = url

    def lookup(self) -> GlueRunner | None:
        with urllib.request.urlopen(self.url, timeout=30) as response:
            return self if json.load(response)["runner"] else None

    def __call__(self, job_name: str, arguments: dict[str, str]) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"job_name": job_name, "arguments": arguments}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        # No timeout: a job run takes as long as the job takes.
        with urllib.request.urlopen(request) as response:
            answer = json.load(response)
        if "error" in answer:
            raise GlueRunFailed(answer["error"])
