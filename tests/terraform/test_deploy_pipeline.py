"""The GitHub Actions deploy pipeline users get: plan on pull requests, dev on main, prod after approval."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "deploy.yml"


@pytest.fixture(scope="module")
def workflow():
    document = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the bare key `on` as the boolean True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def steps_running(job) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses_oidc_credentials(job) -> bool:
    credentials = [
        step for step in job["steps"] if step.get("uses", "").startswith("aws-actions/configure-aws")
    ]
    return (
        job.get("permissions", {}).get("id-token") == "write"
        and len(credentials) == 1
        and "role-to-assume" in credentials[0]["with"]
        and not {"aws-access-key-id", "aws-secret-access-key"} & credentials[0]["with"].keys()
    )


def test_pipeline_runs_on_pull_requests_and_on_main(workflow):
    assert workflow["on"]["pull_request"]["branches"] == ["main"]
    assert workflow["on"]["push"]["branches"] == ["main"]


def test_pull_requests_plan_both_environments_after_the_tests(workflow):
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["needs"] == "test"
    assert plan["strategy"]["matrix"]["environment"] == ["dev", "prod"]
    assert 'make plan ENV="$DEPLOY_ENV"' in steps_running(plan)


def test_main_applies_dev(workflow):
    apply_dev = workflow["jobs"]["apply-dev"]
    assert "refs/heads/main" in apply_dev["if"]
    assert steps_running(apply_dev)[-2:] == ["make plan ENV=dev", "make apply ENV=dev"]


def test_prod_is_applied_after_dev_behind_the_approved_production_environment(workflow):
    apply_prod = workflow["jobs"]["apply-prod"]
    assert apply_prod["needs"] == "apply-dev"
    assert apply_prod["environment"] == "production"
    assert steps_running(apply_prod)[-2:] == ["make plan ENV=prod", "make apply ENV=prod"]


@pytest.mark.parametrize("job_name", ["plan", "apply-dev", "apply-prod"])
def test_every_aws_job_uses_oidc_role_credentials(workflow, job_name):
    assert uses_oidc_credentials(workflow["jobs"][job_name])


def test_workflow_holds_no_long_lived_aws_keys():
    text = WORKFLOW.read_text()
    assert "AWS_ACCESS_KEY_ID" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text


def test_tests_and_lint_gate_every_deployment(workflow):
    assert steps_running(workflow["jobs"]["test"]) == ["make lint", "make test"]


def test_every_job_gets_the_jdk_the_line_parser_jar_is_built_with(workflow):
    # `make plan` and `make test` build the Glue line parser jar with javac; its bytes depend on the JDK.
    for name, job in workflow["jobs"].items():
        java = [step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-java")]
        assert [step["with"]["java-version"] for step in java] == ["17"], name


def test_every_action_is_pinned_to_a_commit():
    uses = re.findall(r"uses: (\S+)", WORKFLOW.read_text())
    assert uses
    assert [action for action in uses if not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action)] == []


def test_no_checkout_keeps_the_token_for_later_steps(workflow):
    for name, job in workflow["jobs"].items():
        checkouts = [step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@")]
        assert [step["with"]["persist-credentials"] for step in checkouts] == [False], name


def test_zizmor_finds_nothing_in_the_workflows():
    zizmor = Path(sys.executable).parent / "zizmor"
    result = subprocess.run([str(zizmor), "--offline", str(WORKFLOW.parent)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize("job_name", ["apply-dev", "apply-prod"])
def test_configs_are_validated_by_their_schemas_before_each_apply(workflow, job_name):
    assert steps_running(workflow["jobs"][job_name])[-3:-2] == ["make validate-configs"]
