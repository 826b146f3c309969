"""The Lambda entry point: configuration and clients built once, both triggers dispatched."""

import pytest
from manifest_builder import handler
from manifest_builder.config import ConfigError


@pytest.fixture
def lambda_env(stack, monkeypatch):
    for name, value in stack.env().items():
        monkeypatch.setenv(name, value)
    handler._builder.cache_clear()
    yield
    handler._builder.cache_clear()


def test_the_handler_returns_the_partial_batch_response_for_an_sqs_event(stack, events, lambda_env):
    bad = events.record("not an event")

    response = handler.lambda_handler(events.batch(stack.upload("in/e-2024-03-10.ndjson"), bad), None)

    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}


def test_configuration_and_clients_are_built_once_per_container(stack, events, lambda_env, monkeypatch):
    handler.lambda_handler(events.batch(), None)
    first = handler._builder()
    monkeypatch.setenv("MAX_FILES_PER_MANIFEST", "not read again")

    handler.lambda_handler(events.batch(), None)

    assert handler._builder() is first


def test_a_scheduled_event_runs_the_sweep(stack, events, lambda_env):
    assert handler.lambda_handler(events.schedule(), None) == {"swept_dates": [], "manifest_ids": []}


def test_a_bad_variable_fails_the_cold_start_with_its_name(stack, events, lambda_env, monkeypatch):
    monkeypatch.setenv("LOCK_TTL_SECONDS", "forever")

    with pytest.raises(ConfigError, match="LOCK_TTL_SECONDS"):
        handler.lambda_handler(events.batch(), None)


def test_a_failing_notices_topic_does_not_fail_the_quarantine(stack):
    missing_topic = stack.topic_arn + "-deleted"

    result = stack.builder(SNS_TOPIC_ARN=missing_topic).handle_sqs_batch(
        [stack.upload("in/r-2024-03-10.csv")]
    )

    assert result == {"batchItemFailures": []}
    (item,) = stack.files(stack.today).values()
    assert item["status"] == "quarantined"
