"""Each building-block module planned on its own, in the scenarios of its YAML file beside this test.

A scenario (the way cloud-foundation-fabric tests its modules) gives the module's arguments and the
expected plan: resource counts by type, and values by address within the module (a subset of the planned
values). Every scenario is one module block of one Terraform root, so the whole suite costs one init and
one plan against the session's emulator. `{repo}` in an argument is the repository's root.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from local_aws.stack import DEFAULT_PLUGIN_DIR, REPO_ROOT

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

MODULES = REPO_ROOT / "terraform" / "modules"
SCENARIO_FILES = sorted(Path(__file__).parent.glob("*.yaml"))
PROVIDER = {
    "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
    "provider": {
        "aws": {
            "region": "us-east-1",
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "s3_use_path_style": True,
            "max_retries": 3,
        }
    },
}


def scenarios() -> dict[str, dict]:
    """Every scenario by block name `<module>__<scenario>`."""
    found = {}
    for path in SCENARIO_FILES:
        for name, scenario in yaml.safe_load(path.read_text()).items():
            found[f"{path.stem}__{name}"] = {"module": path.stem, **scenario}
    return found


def with_repo_root(value):
    if isinstance(value, str):
        return value.replace("{repo}", str(REPO_ROOT))
    if isinstance(value, list):
        return [with_repo_root(item) for item in value]
    if isinstance(value, dict):
        return {key: with_repo_root(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def module_plan(local_aws, built_artifacts):
    """One plan of every scenario; each scenario's resources are under `module.<module>__<scenario>`."""
    import tftest

    workdir = REPO_ROOT / ".local" / f"module-plans-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    modules = {
        block: {"source": str(MODULES / scenario["module"]), **with_repo_root(scenario["inputs"])}
        for block, scenario in scenarios().items()
    }
    (workdir / "main.tf.json").write_text(json.dumps({**PROVIDER, "module": modules}, indent=1))
    env = {**os.environ, **local_aws.env, "TF_IN_AUTOMATION": "1"}
    env.pop("TF_CLI_CONFIG_FILE", None)
    test = tftest.TerraformTest(str(workdir), env=env)
    plugin_dir = os.environ.get("TF_PLUGIN_DIR", DEFAULT_PLUGIN_DIR)
    test.init(plugin_dir=plugin_dir if Path(plugin_dir).is_dir() else None)
    yield test.plan(output=True)
    shutil.rmtree(workdir, ignore_errors=True)


def planned(plan, block: str) -> dict[str, dict]:
    """Planned values of the scenario's managed resources, by address within the module."""
    prefix = f"module.{block}."
    return {
        address.removeprefix(prefix): change["change"]["after"]
        for address, change in plan.resource_changes.items()
        if address.startswith(prefix) and change["mode"] == "managed"
    }


def resource_type(address: str) -> str:
    return address.split(".")[0]


@pytest.mark.parametrize("block", sorted(scenarios()))
def test_module_scenario_plans_its_inventory(module_plan, plan_tools, block):
    scenario = scenarios()[block]
    values = planned(module_plan, block)

    assert dict(Counter(resource_type(address) for address in values)) == scenario["counts"]
    mismatched = {
        address: {"expected": expected, "planned": values.get(address)}
        for address, expected in with_repo_root(scenario["values"]).items()
        if address not in values or not plan_tools.is_subset(expected, values[address])
    }
    assert not mismatched, json.dumps(mismatched, indent=1, default=str)


def test_monitoring_dashboard_lays_widgets_out_two_per_row(module_plan):
    dashboard = planned(module_plan, "monitoring__default")["aws_cloudwatch_dashboard.this"]
    widgets = json.loads(dashboard["dashboard_body"])["widgets"]
    assert [(widget["x"], widget["y"]) for widget in widgets] == [(0, 0), (12, 0), (0, 6)]
    assert [widget["properties"]["period"] for widget in widgets] == [300, 60, 300]


def test_iam_statements_carry_their_conditions_and_log_delivery_only_when_asked(module_plan, plan_tools):
    policies = {
        address: json.loads(values["policy"])["Statement"]
        for address, values in planned(module_plan, "iam__default").items()
        if address.startswith("aws_iam_role_policy.")
    }
    loader = policies['aws_iam_role_policy.this["loader"]']
    workflow = policies['aws_iam_role_policy.this["workflow"]']
    assert [statement["Sid"] for statement in plan_tools.as_list(loader)] == ["ReadLanding"]
    assert [statement["Sid"] for statement in workflow] == ["StartLoads", "ExecutionLogDelivery"]
    assert workflow[0]["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}


def test_iam_trust_is_limited_to_the_account(module_plan):
    role = planned(module_plan, "iam__default")['aws_iam_role.this["loader"]']
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "glue.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_monitoring_gives_each_function_and_state_machine_a_widget(module_plan):
    dashboard = planned(module_plan, "monitoring__standard-alarms")["aws_cloudwatch_dashboard.this"]
    widgets = json.loads(dashboard["dashboard_body"])["widgets"]
    assert [widget["properties"]["title"] for widget in widgets] == [
        "Lambda: router",
        "Step Functions: router-executions",
    ]


def test_monitoring_gives_no_failed_alarm_to_a_state_machine_that_alerts_its_own_failures(module_plan):
    alarms = {
        address.removeprefix("aws_cloudwatch_metric_alarm.this")
        for address in planned(module_plan, "monitoring__own-failure-alerts")
        if address.startswith("aws_cloudwatch_metric_alarm.")
    }
    assert alarms == {'["intake-executions-timed-out"]', '["loads-failed"]', '["loads-timed-out"]'}
