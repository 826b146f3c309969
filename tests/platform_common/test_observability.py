"""Every function's logs and metrics: JSON lines with the pipeline, EMF metrics in the stack's namespace."""

import io
import json
import logging

import pytest
from aws_lambda_powertools import Metrics
from platform_common.observability import for_function

FUNCTION = "observed_function"


@pytest.fixture(autouse=True)
def process_state():
    """Powertools keeps dimensions per process and the copy reconfigures package loggers: both restored."""
    shared = (Metrics._default_dimensions, Metrics._dimensions)
    saved_dimensions = [dict(dimensions) for dimensions in shared]
    for dimensions in shared:
        dimensions.clear()
    loggers = [logging.getLogger(name) for name in (FUNCTION, "platform_common")]
    saved = [(logger, logger.handlers[:], logger.propagate, logger.level) for logger in loggers]
    yield
    for dimensions, values in zip(shared, saved_dimensions, strict=True):
        dimensions.clear()
        dimensions.update(values)
    for logger, handlers, propagate, level in saved:
        logger.handlers, logger.propagate, logger.level = handlers, propagate, level


@pytest.fixture
def published(capsys, lambda_context):
    """What one invocation of the telemetry's function publishes when it counts 3 files."""

    def invoke(telemetry) -> dict:
        telemetry.invocation(lambda event, context: telemetry.count("FilesTracked", 3))({}, lambda_context())
        return json.loads(capsys.readouterr().out.splitlines()[-1])

    return invoke


def test_without_the_powertools_variables_the_pipeline_names_the_logs_and_the_namespace(published):
    telemetry = for_function(FUNCTION, "intake", environ={})

    document = published(telemetry)

    assert telemetry.logger.service == "intake"
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "intake"
    assert (document["pipeline"], document["function"], document["FilesTracked"]) == (
        "intake",
        FUNCTION,
        [3.0],
    )


def test_the_powertools_variables_name_the_pipeline_and_the_namespace(published):
    environ = {"POWERTOOLS_SERVICE_NAME": "router", "POWERTOOLS_METRICS_NAMESPACE": "ndjson-intake-dev"}
    telemetry = for_function(FUNCTION, "intake", environ=environ)

    document = published(telemetry)

    assert telemetry.logger.service == "router"
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ndjson-intake-dev"
    assert document["pipeline"] == "router"


def test_metrics_carry_no_service_dimension_only_pipeline_and_function(published):
    document = published(for_function(FUNCTION, "intake", environ={}))

    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["pipeline", "function"]]


def test_the_function_package_logs_one_json_object_per_line_with_the_pipeline():
    # A pipeline of its own: Powertools configures the logger of a service name once per process.
    telemetry = for_function(FUNCTION, "logging-pipeline", environ={"LOG_LEVEL": "DEBUG"})
    stream = io.StringIO()
    original = telemetry.logger.registered_handler.setStream(stream)
    try:
        telemetry.capture_package_logs()
        logging.getLogger(f"{FUNCTION}.module").debug(
            "cut", extra={"event": "manifest_cut", "manifest_id": "m"}
        )
    finally:
        telemetry.logger.registered_handler.setStream(original)

    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert {key: line[key] for key in ("pipeline", "event", "manifest_id", "message", "level")} == {
        "pipeline": "logging-pipeline",
        "event": "manifest_cut",
        "manifest_id": "m",
        "message": "cut",
        "level": "DEBUG",
    }


def test_a_log_level_that_is_not_a_level_name_is_refused_with_the_variable_name():
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        for_function(FUNCTION, "intake", environ={"LOG_LEVEL": "LOUD"})


def test_functions_sharing_a_process_publish_under_their_own_dimensions(published):
    intake = for_function("first_function", "intake", environ={})
    utilities = for_function("second_function", "utilities", environ={})

    published(utilities)
    document = published(intake)

    assert (document["pipeline"], document["function"]) == ("intake", "first_function")
