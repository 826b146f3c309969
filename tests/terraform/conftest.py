"""Fixtures for the Terraform tests: the build, and plans of scratch copies of the environments.

Terraform runs in `local_aws.stack.LocalStack` copies (`.local/<workspace>/`, with local state instead of the
environment's S3 backend), the same copies the demo and `make plan LOCAL=1` use; plans are read through
tftest. Each copy is initialised once per session. Plans go to the session's local AWS emulator
(`local_aws`, tests/conftest.py); the applied dev stack is the session's `dev_deployment` (tests/conftest.py),
shared with the integration tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from local_aws.stack import LocalStack

REPO_ROOT = Path(__file__).resolve().parents[2]
INVENTORIES = Path(__file__).parent / "inventories"
ENV_MODULE = "module.ndjson_intake"


def load_build_module():
    spec = importlib.util.spec_from_file_location("build_script", REPO_ROOT / "scripts" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script():
    """scripts/build.py as a module."""
    return load_build_module()


@pytest.fixture(scope="session")
def built_artifacts(build_script):
    """The deterministic archives, built into the repository's build/ as `make build` does."""
    return build_script.build_all(REPO_ROOT / "build")


def prepared_stack(local_aws, environment: str) -> LocalStack:
    """An initialised scratch copy of environments/<environment> for plans, private to this session."""
    stack = LocalStack(local_aws.env, environment, workspace=f"plan-{environment}-{os.getpid()}")
    stack.prepare()
    return stack


@pytest.fixture(scope="session")
def dev_terraform(local_aws, built_artifacts):
    """An initialised copy of environments/dev used for plans only (its state stays empty)."""
    stack = prepared_stack(local_aws, "dev")
    yield stack.tftest()
    stack.remove()


@pytest.fixture(scope="session")
def prod_terraform(local_aws, built_artifacts):
    """An initialised copy of environments/prod used for plans only."""
    stack = prepared_stack(local_aws, "prod")
    yield stack.tftest()
    stack.remove()


@pytest.fixture(scope="session")
def dev_plan(dev_terraform):
    return dev_terraform.plan(output=True)


@pytest.fixture(scope="session")
def prod_plan(prod_terraform):
    return prod_terraform.plan(output=True)


@pytest.fixture(scope="session")
def dev_rollback_plan(dev_terraform):
    """The dev plan with the rollback switch on."""
    return dev_terraform.plan(output=True, tf_vars={"blank_step_function_arn": "true"})


# --- plan summaries (the cloud-foundation-fabric way) --------------------------------------------


def created(plan) -> dict[str, dict]:
    """Planned values of the resources a plan creates, by address."""
    return {
        address: change["change"]["after"]
        for address, change in plan.resource_changes.items()
        if change["mode"] == "managed" and "create" in change["change"]["actions"]
    }


def counts_by_type(plan) -> dict[str, int]:
    managed = (change for change in plan.resource_changes.values() if change["mode"] == "managed")
    return dict(Counter(change["type"] for change in managed))


def is_subset(expected, actual) -> bool:
    """True when every key/item of `expected` is in `actual` (dicts partially, lists element-wise)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and is_subset(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(is_subset(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


def load_inventory(name: str) -> dict:
    return yaml.safe_load((INVENTORIES / name).read_text())


def assert_matches_inventory(plan, inventory: dict) -> None:
    values = created(plan)
    mismatched = {
        address: {"expected": expected, "planned": values.get(address)}
        for address, expected in inventory["values"].items()
        if address not in values or not is_subset(expected, values[address])
    }
    assert not mismatched, json.dumps(mismatched, indent=1, default=str)
    assert counts_by_type(plan) == inventory["counts"]


def policy_statements(policy_json: str) -> list[dict]:
    statements = json.loads(policy_json)["Statement"]
    return statements if isinstance(statements, list) else [statements]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def drift(plan) -> dict[str, list[str]]:
    """Resources a plan would create, change or destroy, with their actions."""
    return {
        address: change["change"]["actions"]
        for address, change in plan.resource_changes.items()
        if change["change"]["actions"] not in (["no-op"], ["read"])
    }


@pytest.fixture(scope="session")
def plan_tools():
    """The plan-reading helpers above, for the test modules (conftest is not importable from them)."""
    return SimpleNamespace(
        created=created,
        counts_by_type=counts_by_type,
        load_inventory=load_inventory,
        assert_matches_inventory=assert_matches_inventory,
        policy_statements=policy_statements,
        as_list=as_list,
        is_subset=is_subset,
        drift=drift,
        env_module=ENV_MODULE,
        repo_root=REPO_ROOT,
    )
