"""Where the CLI reaches AWS (region, endpoint), and its errors as one line that says what to check.

Exit codes, the same for every group: 1 when a command could not do what it was asked (a file not tracked,
a lock busy, an execution not started), 2 for bad arguments or settings (argparse's own code), 3 for a
failure of AWS (a refusal, a missing resource, no connection), so a script can tell them apart.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

EXIT_NOT_DONE = 1
EXIT_USAGE = 2
EXIT_AWS = 3

# Error codes of a missing resource, by the kind of resource they concern. DynamoDB and Lambda share
# ResourceNotFoundException; the operation tells them apart.
_MISSING = {"NoSuchBucket": "bucket", "StateMachineDoesNotExist": "state machine"}
_LAMBDA_OPERATIONS = ("GetFunctionConfiguration", "GetFunction")


class UsageError(ValueError):
    """A bad argument or setting; the message names the flag or variable."""


class ResourceNotFound(RuntimeError):
    """AWS answered that a resource the CLI was pointed at does not exist."""

    def __init__(self, kind: str, name: str, connection: Connection, check: str) -> None:
        super().__init__(f"{kind} {name} not found in {connection.describe()}: check {check} and the region")


@dataclass(frozen=True)
class Connection:
    """The region and endpoint (None: AWS's own) every client of a CLI run uses."""

    region: str
    endpoint_url: str | None = None

    @classmethod
    def resolve(
        cls, region: str | None, endpoint_url: str | None, environ: Mapping[str, str] | None = None
    ) -> Connection:
        """Flags first, then AWS_REGION, AWS_DEFAULT_REGION and AWS_ENDPOINT_URL (the AWS CLI's order)."""
        environ = os.environ if environ is None else environ
        region = region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise UsageError("no AWS region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION")
        return cls(region, endpoint_url or environ.get("AWS_ENDPOINT_URL") or None)

    def session(self) -> _Session:
        return _Session(boto3.session.Session(region_name=self.region), self.endpoint_url)

    def describe(self) -> str:
        return f"{self.region} (endpoint {self.endpoint_url or 'AWS'})"


class _Session:
    """A boto3 session whose clients all use the connection's endpoint."""

    def __init__(self, session: boto3.session.Session, endpoint_url: str | None) -> None:
        self._session = session
        self._endpoint_url = endpoint_url

    def client(self, service_name: str, **kwargs: Any) -> Any:
        if self._endpoint_url:
            kwargs.setdefault("endpoint_url", self._endpoint_url)
        return self._session.client(service_name, **kwargs)


def missing_resource(error: ClientError) -> str | None:
    """The kind of resource ("table", "bucket", "function", "state machine") an error says is missing."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ResourceNotFoundException":
        return "function" if error.operation_name in _LAMBDA_OPERATIONS else "table"
    return _MISSING.get(code)


def group_options(
    function_help: str, table_help: str | None = None, suppress: bool = False
) -> argparse.ArgumentParser:
    """A pipeline group's options (`--function-name`, and `--table` where the group reads one table),
    accepted before or after the command name: subparsers take them with SUPPRESS defaults, so a value given
    earlier on the line is not overwritten (see cli.global_options)."""
    parser = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--function-name", default=default, help=function_help)
    if table_help:
        parser.add_argument("--table", default=default, help=table_help)
    return parser
