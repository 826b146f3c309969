"""Invoke runs a function whose handler's package is installed here in the emulator's process, as Lambda
would run it, instead of failing for want of Docker."""

import io
import json
import zipfile

import pytest

from .conftest import TRUST_POLICY

pytestmark = pytest.mark.emulator


def _package() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("file_router/__init__.py", "")
    return archive.getvalue()


@pytest.fixture
def router_function(local_aws, unique_name):
    """The file router's handler, with settings of the test's, and no config or table to reach."""
    role = local_aws.client("iam").create_role(RoleName=unique_name, AssumeRolePolicyDocument=TRUST_POLICY)

    def create(**variables):
        return local_aws.client("lambda").create_function(
            FunctionName=unique_name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="file_router.handler.lambda_handler",
            Code={"ZipFile": _package()},
            Environment={"Variables": {"SNS_TOPIC_ARN": "", "STEP_FUNCTION_ARN": "", **variables}},
        )["FunctionName"]

    return create


def _event(key: str) -> str:
    detail = {
        "bucket": {"name": "landing"},
        "object": {"key": key, "size": 1, "etag": "e", "sequencer": "01"},
    }
    return json.dumps({"detail-type": "Object Created", "source": "aws.s3", "detail": detail})


def test_the_function_runs_with_its_environment_and_returns_its_result(local_aws, router_function):
    name = router_function(INPUT_PREFIX="landing/")

    response = local_aws.client("lambda").invoke(FunctionName=name, Payload=_event("data/in/orders.csv"))

    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"status": "ignored"}


def test_a_handler_that_raises_returns_lambdas_error_document(local_aws, router_function):
    name = router_function()

    response = local_aws.client("lambda").invoke(FunctionName=name, Payload=b"{}")

    assert response["FunctionError"]
    error = json.loads(response["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == (
        "InvalidEvent",
        "not an EventBridge S3 event: no detail",
    )
