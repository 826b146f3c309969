"""Fixtures for the Terraform tests: the build, offline init, and plans/applies of temporary copies.

Terraform always runs on a copy of the repository's Terraform tree in a temporary directory: tftest's
cleanup deletes `terraform.tfstate` and `.terraform.lock.hcl` where it runs, and the environments'
S3 backend is swapped for local state there by an override file. Each copy is initialised once per
session. Plans and applies go to the session's local AWS emulator (`local_aws`, tests/conftest.py).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import tftest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INVENTORIES = Path(__file__).parent / "inventories"
PROVIDER_MIRROR = Path("/opt/tf-plugins")
ENV_MODULE = "module.ndjson_intake"

# What a Terraform run needs from the repository, relative to its root (paths in the root module are
# relative to terraform/, so the layout is kept).
TERRAFORM_TREE = ("terraform", "asl", "environments", "src/glue/ndjson_to_parquet.py", "build")

LOCAL_STATE_OVERRIDE = """\
# Written by the tests: local state in the temporary copy instead of the environment's S3 backend.
terraform {
  backend "local" {}
}
"""


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


@pytest.fixture(scope="session")
def terraform_cli_config(tmp_path_factory):
    """A CLI config installing providers from the machine's mirror (offline), when there is one."""
    if not PROVIDER_MIRROR.is_dir():
        return None
    config = tmp_path_factory.mktemp("terraform-cli") / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{PROVIDER_MIRROR}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    return config


@pytest.fixture(scope="session")
def terraform_env(local_aws, terraform_cli_config):
    """Environment of every Terraform run: the emulator's endpoint and credentials, emulator mode."""
    env = {**local_aws.env, "TF_VAR_use_local_emulator": "true", "TF_IN_AUTOMATION": "1"}
    if terraform_cli_config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(terraform_cli_config)
    return env


@pytest.fixture(scope="session")
def terraform_copy(tmp_path_factory, built_artifacts):
    """A factory of private copies of the Terraform tree: `terraform_copy(name)` -> copy root."""

    def make(name: str) -> Path:
        root = tmp_path_factory.mktemp(name)
        for relative in TERRAFORM_TREE:
            source = REPO_ROOT / relative
            if source.is_dir():
                shutil.copytree(
                    source,
                    root / relative,
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"),
                )
            else:
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, root / relative)
        for environment in (root / "environments").iterdir():
            (environment / "backend_override.tf").write_text(LOCAL_STATE_OVERRIDE)
        return root

    return make


def initialised(tfdir: Path, env: dict[str, str]) -> tftest.TerraformTest:
    tf = tftest.TerraformTest(str(tfdir), env=env)
    tf.setup()
    return tf


@pytest.fixture(scope="session")
def dev_terraform(terraform_copy, terraform_env):
    """An initialised copy of environments/dev used for plans only (its state stays empty)."""
    return initialised(terraform_copy("plan-dev") / "environments" / "dev", terraform_env)


@pytest.fixture(scope="session")
def prod_terraform(terraform_copy, terraform_env):
    """An initialised copy of environments/prod used for plans only."""
    return initialised(terraform_copy("plan-prod") / "environments" / "prod", terraform_env)


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


# Only the apply copy gets this: a failing Glue run is retried after 1 s and 2 s instead of 30 s and
# 60 s, so the failure path runs in seconds. Override files merge into the module block; the
# environment's own files stay as committed.
FAST_RETRY_OVERRIDE = """\
module "ndjson_intake" {
  glue_retry_interval_seconds = 1
}
"""


@pytest.fixture(scope="session")
def applied_dev(terraform_copy, terraform_env):
    """environments/dev applied to the emulator: (TerraformTest, outputs, apply seconds)."""
    tfdir = terraform_copy("apply-dev") / "environments" / "dev"
    (tfdir / "fast_retry_override.tf").write_text(FAST_RETRY_OVERRIDE)
    tf = initialised(tfdir, terraform_env)
    started = time.monotonic()
    tf.apply()
    seconds = time.monotonic() - started
    print(f"\napply of environments/dev against the emulator: {seconds:.1f} s")
    return tf, tf.output()["ndjson_intake"], seconds


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
        drift=drift,
        env_module=ENV_MODULE,
        repo_root=REPO_ROOT,
    )
