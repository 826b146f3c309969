"""Where platform-ops intake finds the pipeline: the deployed function's environment, env vars, flags."""

import io
import zipfile

import pytest
from manifest_builder.config import ConfigError
from platform_ops.intake.settings import resolve


@pytest.fixture
def deployed_function(stack) -> str:
    """A manifest builder function whose environment names the stack's table."""
    import boto3

    iam = boto3.client("iam")
    role = iam.create_role(RoleName="manifest-builder", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("manifest_builder/__init__.py", "")
    boto3.client("lambda").create_function(
        FunctionName="manifest-builder",
        Runtime="python3.12",
        Role=role,
        Handler="manifest_builder.handler.lambda_handler",
        Code={"ZipFile": package.getvalue()},
        Environment={"Variables": {"TRACKING_TABLE": stack.table, "MANIFEST_BUCKET": "from-function"}},
    )
    return "manifest-builder"


def test_the_deployed_functions_environment_is_read_back(stack, deployed_function):
    settings = resolve(deployed_function, environ={})

    assert settings.table_name == stack.table
    assert settings.builder_config().manifest_bucket == "from-function"


def test_the_environment_overrides_the_function_and_flags_override_both(stack, deployed_function):
    settings = resolve(
        deployed_function,
        overrides={"TRACKING_TABLE": "from-flag"},
        environ={"TRACKING_TABLE": "from-env", "MANIFEST_BUCKET": "from-env"},
    )

    assert settings.table_name == "from-flag"
    assert settings.builder_config().manifest_bucket == "from-env"


def test_the_function_can_be_named_by_environment_variable(stack, deployed_function):
    settings = resolve(environ={"MANIFEST_BUILDER_FUNCTION": deployed_function})

    assert settings.table_name == stack.table


def test_without_any_source_the_error_says_where_the_table_comes_from(stack):
    with pytest.raises(ConfigError, match="pass --table, set TRACKING_TABLE, or name the deployed function"):
        resolve(environ={}).table_name  # noqa: B018


def test_status_runs_with_only_the_function_name(cli, stack, deployed_function, monkeypatch):
    monkeypatch.delenv("TRACKING_TABLE")

    code, output = cli("--function-name", deployed_function, "status")

    assert code == 0
    assert f"table {stack.table}" in output
