"""The Jenkinsfile our users' Jenkins runs: the same stages as the GitHub workflow, in the same order.

Jenkins is not available here; the pipeline is read as text: its stages in order, each stage's shell
steps and its `when` condition.
"""

import re
from pathlib import Path

import pytest

JENKINSFILE = Path(__file__).resolve().parents[2] / "Jenkinsfile"


def stage_blocks(text: str) -> dict[str, str]:
    """Each top-level stage's text, by name, in order (a stage ends where the next one starts)."""
    stages = text[text.index("  stages {") :]
    starts = [
        (match.group(1), match.start()) for match in re.finditer(r"^    stage\('([^']+)'\)", stages, re.M)
    ]
    ends = [start for _, start in starts[1:]] + [len(stages)]
    return {name: stages[start:end] for (name, start), end in zip(starts, ends, strict=True)}


def shell_steps(block: str) -> list[str]:
    return re.findall(r"sh '(make [^']+)'", block)


@pytest.fixture(scope="module")
def stages():
    return stage_blocks(JENKINSFILE.read_text())


def test_stages_are_test_plan_apply_dev_approval_apply_prod(stages):
    assert list(stages) == ["Test", "Plan", "Apply dev", "Approve prod", "Apply prod"]


def test_tests_and_lint_gate_every_deployment(stages):
    assert shell_steps(stages["Test"]) == ["make lint", "make test"]
    assert "when" not in stages["Test"]


def test_change_requests_plan_both_environments(stages):
    assert "when { changeRequest() }" in stages["Plan"]
    assert "values 'dev', 'prod'" in stages["Plan"]
    assert shell_steps(stages["Plan"]) == ['make plan ENV="$DEPLOY_ENV"']


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_main_plans_then_applies_each_environment(stages, environment):
    block = stages[f"Apply {environment}"]
    assert "when { branch 'main' }" in block
    assert f"withDeployer('{environment}')" in block
    assert shell_steps(block) == [
        "make validate-configs",
        f"make plan ENV={environment}",
        f"make apply ENV={environment}",
    ]


def test_prod_waits_for_an_approval_after_dev(stages):
    approval = stages["Approve prod"]
    assert "when { branch 'main' }" in approval
    assert re.search(r"^\s+input message: ", approval, re.M)


def test_aws_credentials_come_from_the_credentials_store_not_the_file():
    text = JENKINSFILE.read_text()
    assert "credentialsId: 'aws-deployer'" in text
    assert "AWS_ACCESS_KEY_ID" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text


def test_backend_configuration_is_written_from_parameters_by_the_shell_not_groovy():
    # Single-quoted sh steps: the shell expands the variables, so values never become Groovy strings.
    (line,) = [
        line for line in JENKINSFILE.read_text().splitlines() if "backend.hcl" in line and "sh " in line
    ]
    assert line.strip().startswith("sh 'printf")
    assert '"$TF_STATE_BUCKET" "$AWS_REGION"' in line
