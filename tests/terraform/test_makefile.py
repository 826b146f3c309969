"""The Makefile's Terraform targets, read with `make -n` (commands printed, nothing run)."""

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def dry_run(*arguments: str) -> str:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", *arguments], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["plan", "apply"])
def test_local_targets_run_against_the_emulator_from_a_copy_of_the_environment(target):
    commands = dry_run(target, "ENV=dev", "LOCAL=1")
    assert "local-aws serve --port 4566 --pidfile .local/emulator.pid" in commands
    terraform_line = next(line for line in commands.splitlines() if f"terraform {target}" in line)
    assert terraform_line.startswith("cd .local/dev && ")
    assert "AWS_ENDPOINT_URL=http://127.0.0.1:4566" in terraform_line
    assert "TF_VAR_use_local_emulator=true" in terraform_line


def test_local_copy_is_the_local_stack_copy_with_local_state():
    commands = dry_run(".local-tf-dir", "ENV=dev", "LOCAL=1")
    assert ".venv/bin/local-aws prepare --environment dev --workspace dev" in commands


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_plan_against_aws_uses_the_environment_backend_config_and_saves_the_plan(environment):
    commands = dry_run("plan", f"ENV={environment}")
    init = f"terraform -chdir=environments/{environment} init -input=false -backend-config=backend.hcl"
    assert init in commands
    assert f"-out={REPO_ROOT}/.local/plans/{environment}.tfplan" in commands


def test_apply_against_aws_applies_only_the_saved_plan():
    commands = dry_run("apply", "ENV=prod")
    saved_plan = f"{REPO_ROOT}/.local/plans/prod.tfplan"
    assert f"terraform -chdir=environments/prod apply -input=false {saved_plan}" in commands


def test_terraform_installs_providers_from_the_mirror_when_there_is_one(tmp_path):
    commands = dry_run("-B", f"{REPO_ROOT}/.local/terraformrc", f"TF_PLUGIN_MIRROR={tmp_path}")
    assert f'path    = "{tmp_path}"' in commands
    assert 'exclude = ["registry.terraform.io/*/*"]' in commands


def run_make(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_unknown_environment_is_refused_with_the_list_of_environments():
    result = run_make("plan", "ENV=prd")
    assert result.returncode != 0
    assert "error: no environment 'prd': choose one of dev, prod" in result.stderr


def test_prod_refuses_make_destroy_and_says_how_to_retire_it():
    result = run_make("destroy", "ENV=prod")
    assert result.returncode != 0
    assert "error: prod refuses `make destroy`" in result.stderr
    assert "force_destroy = true" in result.stderr


def test_destroy_on_the_emulator_is_allowed_for_prod():
    commands = dry_run("destroy", "ENV=prod", "LOCAL=1")
    assert "scripts/preflight.py prod --destroy --local" in commands
    assert "terraform destroy -input=false -auto-approve" in commands
