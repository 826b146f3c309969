"""platform-ops intake against in-process moto: the manifest builder's test stack, driven by its real code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def _manifest_builder_fixtures():
    """tests/manifest_builder/conftest.py, loaded by path: its moto stack, clock and event helpers."""
    path = Path(__file__).parents[1] / "manifest_builder" / "conftest.py"
    spec = importlib.util.spec_from_file_location("manifest_builder_test_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fixtures = _manifest_builder_fixtures()
stack = fixtures.stack
item_level_transaction_rollback = fixtures.item_level_transaction_rollback


def _file_router_fixtures():
    """tests/file_router/conftest.py, loaded by path: its moto account and the router run in process."""
    path = Path(__file__).parents[1] / "file_router" / "conftest.py"
    spec = importlib.util.spec_from_file_location("file_router_test_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


router_fixtures = _file_router_fixtures()
account = router_fixtures.account
router_environment = router_fixtures.router_environment
invoke = router_fixtures.invoke


@pytest.fixture
def cli(stack, monkeypatch, capsys):
    """Runs `platform-ops intake ARGS` against the stack with its settings in the environment.

    Returns (exit code, what it printed on stdout then stderr).
    """
    from platform_ops.cli import main

    for name, value in stack.env().items():
        monkeypatch.setenv(name, value)

    def run(*arguments: str, **env: str) -> tuple[int, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(["intake", *arguments], now=stack.clock.now)
        printed = capsys.readouterr()
        return code, printed.out + printed.err

    return run


class Pipeline:
    """Puts the stack into the states the operator meets, through the manifest builder's own code."""

    def __init__(self, stack) -> None:
        self.stack = stack

    def arrive(self, *keys: str, **builder_settings: str) -> list[str]:
        """Uploads the objects and hands their notifications to the manifest builder; returns their URIs."""
        records = [self.stack.upload(key) for key in keys]
        response = self.stack.builder(**builder_settings).handle_sqs_batch(records)
        assert response == {"batchItemFailures": []}
        return [f"s3://{self.stack.input_bucket}/{key}" for key in keys]

    def manifests(self, date_prefix: str) -> list[dict]:
        return self.stack.manifest_items(date_prefix)

    def only_manifest(self, date_prefix: str) -> dict:
        (manifest,) = self.manifests(date_prefix)
        return manifest

    def set_manifest(self, date_prefix: str, manifest_id: str, **attributes) -> None:
        """Writes attributes on a manifest item as the state machine's status updates do."""
        names = {f"#{name}": name for name in attributes}
        self.stack.clients.dynamodb.update_item(
            TableName=self.stack.table,
            Key={"date_prefix": {"S": date_prefix}, "file_key": {"S": f"MANIFEST#{manifest_id}"}},
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in attributes),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{name}": {"S": value} for name, value in attributes.items()},
        )

    def failed_manifest(self, date_prefix: str, cause: str, **attributes) -> dict:
        """A manifest of one arrived file, then failed as the state machine's failure path marks it."""
        self.arrive(f"in/a-{date_prefix}.ndjson")
        manifest = self.only_manifest(date_prefix)
        self.set_manifest(
            date_prefix,
            manifest["manifest_id"],
            status="failed",
            error="States.TaskFailed",
            error_cause=cause,
            **attributes,
        )
        return manifest

    def unmark(self, date_prefix: str, *uris: str) -> None:
        """Deletes the files' pending markers: as files tracked before pending files had markers (v0.1.0)."""
        for uri in uris:
            self.stack.clients.dynamodb.delete_item(
                TableName=self.stack.table,
                Key={"date_prefix": {"S": date_prefix}, "file_key": {"S": f"PENDING#{uri}"}},
            )

    def execution(self, name: str) -> dict:
        sfn = self.stack.clients.stepfunctions
        arn = f"{self.stack.state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        return sfn.describe_execution(executionArn=arn)


@pytest.fixture
def pipeline(stack) -> Pipeline:
    return Pipeline(stack)
