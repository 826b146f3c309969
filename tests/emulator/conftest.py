import io
import json
import uuid
import zipfile

import boto3
import pytest

from local_aws.bridged_server import BridgedMotoServer


@pytest.fixture
def unique_name(request):
    """A resource name no other test of the session uses (the emulator is shared by the session)."""
    return f"{request.node.name.replace('_', '-')[:40]}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def use_glue_runner(local_aws):
    """Sets the emulator's Glue runner for one test, then puts back the one it had."""
    previous_runner = local_aws.glue_runner

    def use(runner):
        local_aws.glue_runner = runner

    yield use
    local_aws.glue_runner = previous_runner


@pytest.fixture
def glue_job(local_aws, unique_name):
    """A Glue job with one default argument; its name."""
    local_aws.client("glue").create_job(
        Name=unique_name,
        Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/ndjson_to_parquet.py"},
        DefaultArguments={"--OUTPUT_BUCKET": "output", "--COMPRESSION_TYPE": "snappy"},
    )
    return unique_name


@pytest.fixture
def in_process_moto():
    """The bridged moto server in this process, for tests that put one of moto's own methods back.

    Returns a boto3 client factory bound to it.
    """
    with BridgedMotoServer() as server:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        yield lambda service_name: session.client(service_name, endpoint_url=server.endpoint_url)


TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _zip_with_handler() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    return archive.getvalue()


@pytest.fixture
def create_function(local_aws, unique_name):
    role_arn = local_aws.client("iam").create_role(
        RoleName=unique_name, AssumeRolePolicyDocument=TRUST_POLICY
    )["Role"]["Arn"]

    def create(**settings):
        return local_aws.client("lambda").create_function(
            FunctionName=unique_name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="handler.lambda_handler",
            Code={"ZipFile": _zip_with_handler()},
            **settings,
        )

    return create
