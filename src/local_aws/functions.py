"""The deployed Lambda functions run in this process, as Lambda would run them (moto would need Docker).

A function is found by its deployed `Handler` setting (`package.module.function`): the build zips hold
exactly the packages of src/lambda/, which are installed here, so the handler module is imported as is.
Each invocation runs with the function's deployed environment variables plus the emulator's (endpoint,
dummy credentials), and Lambda's context object. What the function prints (its JSON log lines and EMF
metric documents, which Lambda sends to CloudWatch Logs) goes to `function_log`, or nowhere.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class InvocationContext:
    """The attributes of Lambda's context object that the handlers read (Powertools' logger)."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def function_name(arn: str) -> str | None:
    """The function a Lambda ARN names (without qualifier); None for an ARN of anything else."""
    if ":function:" not in arn:
        return None
    return arn.split(":function:", 1)[1].split(":")[0]


class LocalFunctions:
    def __init__(
        self,
        client: Callable[[str], Any],
        emulator_env: Mapping[str, str],
        function_log: Path | None = None,
    ) -> None:
        """`client`: a boto3 client factory bound to the emulator."""
        self._client = client
        self._emulator_env = dict(emulator_env)
        self._function_log = function_log
        self._loaded_environment: dict[str, dict[str, str]] = {}
        # One invocation at a time: the environment variables and the output streams are process-wide.
        self._lock = threading.Lock()

    def configuration(self, function_name: str) -> dict[str, Any]:
        return self._client("lambda").get_function_configuration(FunctionName=function_name)

    def invoke(self, function_name: str, event: dict[str, Any]) -> Any:
        """One invocation of the deployed function; a changed configuration means a new container."""
        configuration = self.configuration(function_name)
        variables = {**configuration.get("Environment", {}).get("Variables", {}), **self._emulator_env}
        module_name, handler_name = configuration["Handler"].rsplit(".", 1)
        module = importlib.import_module(module_name)
        context = InvocationContext(
            configuration["FunctionName"], configuration["FunctionArn"], configuration["MemorySize"]
        )
        with self._lock, environment(variables), self._function_output(module):
            if self._loaded_environment.get(module_name) != variables:
                _new_container(module)
                self._loaded_environment[module_name] = variables
            return getattr(module, handler_name)(event, context)

    def close(self) -> None:
        """Forgets what the handlers cached (settings, clients bound to this emulator)."""
        for module_name in self._loaded_environment:
            _new_container(importlib.import_module(module_name))
        self._loaded_environment.clear()

    @contextmanager
    def _function_output(self, module: ModuleType) -> Iterator[None]:
        """Sends what the function prints to the function log: its logger's stream, and print (EMF)."""
        with contextlib.ExitStack() as stack:
            if self._function_log is None:
                output = stack.enter_context(open(os.devnull, "w"))
            else:
                output = stack.enter_context(self._function_log.open("a", encoding="utf-8"))
            # Every function's handler module holds its platform_common telemetry, whose Powertools logger
            # kept the stream of its import.
            logs = module.telemetry.logger.registered_handler
            stack.callback(logs.setStream, logs.setStream(output))
            stack.enter_context(contextlib.redirect_stdout(output))
            yield


def _new_container(module: ModuleType) -> None:
    """What a new Lambda container starts without: the handler module's once-per-container caches."""
    for value in vars(module).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """These variables set in os.environ meanwhile; what they replaced is put back."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
