"""Where the CLI finds the file router: the deployed function's environment, overridden by env and flags.

The router's environment (DECISIONS_TABLE, STEP_FUNCTION_ARN, INPUT_PREFIX, ...) describes the pipeline, so
the CLI reads it back from the deployed function (`--function-name` or FILE_ROUTER_FUNCTION), then lets
variables of the same names in its own environment, then flags, override it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from file_router.decisions import DecisionTable
from file_router.executions import Executions
from platform_common.settings import ConfigError

FUNCTION_VARIABLE = "FILE_ROUTER_FUNCTION"
# The router's variables the CLI reads (file_router.settings.Settings reads the same names).
VARIABLES = ("DECISIONS_TABLE", "STEP_FUNCTION_ARN", "INPUT_PREFIX")


@dataclass(frozen=True)
class Settings:
    variables: dict[str, str]
    session: Any

    @property
    def table(self) -> DecisionTable:
        name = self.variables.get("DECISIONS_TABLE", "").strip()
        if not name:
            raise ConfigError(
                "DECISIONS_TABLE is unknown: pass --table, set DECISIONS_TABLE, or name the deployed "
                f"router with --function-name or {FUNCTION_VARIABLE}"
            )
        return DecisionTable(self.session.client("dynamodb"), name)

    @property
    def input_prefix(self) -> str:
        return self.variables.get("INPUT_PREFIX", "").strip() or "data/in/"

    def executions(self, required: bool) -> Executions:
        arn = self.variables.get("STEP_FUNCTION_ARN", "").strip()
        if required and not arn:
            raise ConfigError("STEP_FUNCTION_ARN is blank (the rollback blanks it): pass --state-machine-arn")
        return Executions(self.session.client("stepfunctions"), arn)

    def s3(self) -> Any:
        return self.session.client("s3")


def resolve(
    function_name: str | None,
    overrides: Mapping[str, str | None],
    session: Any,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    environ = os.environ if environ is None else environ
    variables: dict[str, str] = {}
    function_name = function_name or environ.get(FUNCTION_VARIABLE, "")
    if function_name:
        configuration = session.client("lambda").get_function_configuration(FunctionName=function_name)
        variables.update(configuration.get("Environment", {}).get("Variables", {}))
    variables.update({name: environ[name] for name in VARIABLES if name in environ})
    variables.update({name: value for name, value in overrides.items() if value})
    return Settings(variables, session)
