"""scripts/preflight.py: what `make plan/apply/destroy` say before Terraform runs, one line each."""

import importlib.util

import pytest

from local_aws.stack import REPO_ROOT


@pytest.fixture
def preflight(tmp_path, monkeypatch):
    """The script as a module, its environments folder a scratch copy holding dev and prod."""
    spec = importlib.util.spec_from_file_location("preflight", REPO_ROOT / "scripts" / "preflight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("dev", "prod"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text("")
    monkeypatch.setattr(module, "ENVIRONMENTS", tmp_path)
    return module


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_missing_backend_points_to_the_example_and_to_local(preflight, capsys):
    assert preflight.main(["dev", "--local"]) == 0
    assert preflight.main(["dev"]) == 2
    message = capsys.readouterr().err
    assert "environments/dev/backend.hcl is missing" in message
    assert "backend.hcl.example" in message
    assert "LOCAL=1" in message


def test_missing_credentials_are_one_clear_line(preflight, no_aws_credentials, capsys):
    (preflight.ENVIRONMENTS / "dev" / "backend.hcl").write_text('bucket = "b"\nregion = "us-east-1"\n')
    assert preflight.main(["dev"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: no AWS credentials: set AWS_PROFILE")


def test_credentials_from_the_environment_pass(preflight, monkeypatch, capsys):
    (preflight.ENVIRONMENTS / "dev" / "backend.hcl").write_text('bucket = "b"\nregion = "us-east-1"\n')
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert preflight.main(["dev"]) == 0
    assert capsys.readouterr().err == ""


def test_local_runs_need_neither_backend_nor_credentials(preflight, no_aws_credentials):
    assert preflight.main(["prod", "--local"]) == 0


def test_dev_may_be_destroyed_prod_may_not(preflight, monkeypatch):
    monkeypatch.setattr(preflight, "check_backend", lambda environment: None)
    monkeypatch.setattr(preflight, "check_credentials", lambda: None)
    assert preflight.main(["dev", "--destroy"]) == 0
    assert preflight.main(["prod", "--destroy"]) == 2
