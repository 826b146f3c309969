"""The utility functions as deployed by the dev stack: their handlers run with the deployed environment and
role's scope (the stack's buckets) against the emulator, as `aws lambda invoke` would run them."""

from __future__ import annotations

import io
import json
import os
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

REPOSITORY_CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.json"


@contextmanager
def deployed_environment(deployment, function_name: str):
    """The function's deployed variables and the emulator's endpoint, set while its handler runs."""
    variables = deployment.aws.client("lambda").get_function_configuration(FunctionName=function_name)[
        "Environment"
    ]["Variables"]
    saved = dict(os.environ)
    os.environ.update({**variables, **deployment.aws.env})
    try:
        yield variables
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_upload_config_writes_the_repository_config_as_a_new_version_of_the_config_bucket(
    dev_deployment, lambda_context
):
    from upload_config import handler

    names = dev_deployment.outputs["utility_function_names"]
    with deployed_environment(dev_deployment, names["upload_config"]):
        handler._runtime.cache_clear()
        first = handler.lambda_handler(
            {"kind": "router_config", "payload": json.loads(REPOSITORY_CONFIG.read_text())}, lambda_context()
        )
        second = handler.lambda_handler(
            {"kind": "router_config", "payload": json.loads(REPOSITORY_CONFIG.read_text())}, lambda_context()
        )
        handler._runtime.cache_clear()

    bucket = dev_deployment.outputs["config_bucket_name"]
    assert first["destination"] == f"s3://{bucket}/config/config.json"
    assert second["previous_version_id"] == first["version_id"] != second["version_id"]


def test_download_zip_zips_a_prefix_of_the_output_bucket_into_its_exports(dev_deployment, lambda_context):
    from download_zip import handler

    s3 = dev_deployment.aws.client("s3")
    bucket = dev_deployment.outputs["bucket_names"]["output"]
    s3.put_object(Bucket=bucket, Key="utilities-test/a.csv", Body=b"id\n1\n")
    names = dev_deployment.outputs["utility_function_names"]
    with deployed_environment(dev_deployment, names["download_zip"]):
        handler._runtime.cache_clear()
        result = handler.lambda_handler(
            {
                "source_bucket": bucket,
                "source_prefix": "utilities-test/",
                "destination_bucket": bucket,
                "destination_key": "exports/utilities-test.zip",
            },
            lambda_context(),
        )
        handler._runtime.cache_clear()

    assert result["files"] == 1
    archive = zipfile.ZipFile(
        io.BytesIO(s3.get_object(Bucket=bucket, Key="exports/utilities-test.zip")["Body"].read())
    )
    assert archive.read("a.csv") == b"id\n1\n"
