"""Where the operator CLI finds the pipeline: the deployed builder's settings, overridden by env and flags.

The manifest builder's environment (TRACKING_TABLE, MANIFEST_BUCKET, STEP_FUNCTION_ARN, ...) is the one
description of the pipeline, so the CLI reads it back from the deployed function (`--function-name` or
MANIFEST_BUILDER_FUNCTION), then lets variables of the same names in the CLI's own environment, then flags,
override it. The result is checked by the manifest builder's own `Config`, so a bad value gets the same
error naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from manifest_builder.aws import AwsClients
from manifest_builder.config import VARIABLES, Config, ConfigError
from manifest_builder.tracking import TrackingTable

FUNCTION_VARIABLE = "MANIFEST_BUILDER_FUNCTION"


@dataclass(frozen=True)
class Settings:
    """The pipeline as the CLI sees it: the builder's variables, and clients bound to AWS or the emulator."""

    variables: dict[str, str]
    clients: AwsClients

    @property
    def table_name(self) -> str:
        name = self.variables.get("TRACKING_TABLE", "").strip()
        if not name:
            raise ConfigError(
                f"TRACKING_TABLE is unknown: pass --table, set TRACKING_TABLE, or name the deployed "
                f"function with --function-name or {FUNCTION_VARIABLE}"
            )
        return name

    @property
    def table(self) -> TrackingTable:
        return TrackingTable(self.clients.dynamodb, self.table_name)

    def builder_config(self, starts_executions: bool = False) -> Config:
        """The manifest builder's configuration, for commands that cut or start manifests as it does."""
        config = Config.from_environ(self.variables)
        if starts_executions and not config.step_function_arn:
            raise ConfigError("STEP_FUNCTION_ARN is blank (the rollback blanks it): pass --state-machine-arn")
        return config


def resolve(
    function_name: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    session: Any = None,
) -> Settings:
    """Settings from the deployed function (if named), then `environ`, then the non-empty `overrides`.

    Clients use the standard AWS configuration: credentials, region and AWS_ENDPOINT_URL (the emulator).
    """
    environ = os.environ if environ is None else environ
    session = session or boto3.session.Session()
    variables: dict[str, str] = {}
    function_name = function_name or environ.get(FUNCTION_VARIABLE, "")
    if function_name:
        configuration = session.client("lambda").get_function_configuration(FunctionName=function_name)
        variables.update(configuration.get("Environment", {}).get("Variables", {}))
    variables.update({name: environ[name] for name in VARIABLES if name in environ})
    variables.update({name: value for name, value in (overrides or {}).items() if value})
    return Settings(variables, AwsClients.create(session))
