"""bridges/awslambda.py: LoggingConfig reads back as AWS returns it (no change on a second plan)."""

import pytest

pytestmark = pytest.mark.emulator


def test_lambda_function_without_logging_config_reports_the_aws_default(
    local_aws, create_function, unique_name
):
    create_function()

    configuration = local_aws.client("lambda").get_function(FunctionName=unique_name)["Configuration"]

    assert configuration["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{unique_name}"}


def test_lambda_function_reports_the_logging_config_it_was_given_and_updated_with(
    local_aws, create_function, unique_name
):
    create_function(LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})
    local_aws.client("lambda").update_function_configuration(
        FunctionName=unique_name, LoggingConfig={"LogGroup": "/custom/manifest-builder"}
    )

    configuration = local_aws.client("lambda").get_function(FunctionName=unique_name)["Configuration"]

    assert configuration["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "LogGroup": "/custom/manifest-builder",
    }
