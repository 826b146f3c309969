"""The event and the environment: each refusal names what is wrong."""

import pytest
from upload_config.config import ConfigError, Settings
from upload_config.request import InvalidRequest, UploadRequest, parse_request


def test_a_payload_event_is_parsed():
    assert parse_request(
        {"kind": "datamart_run", "payload": {"bundle": "EDV"}, "dry_run": True}
    ) == UploadRequest("datamart_run", payload={"bundle": "EDV"}, dry_run=True)


def test_a_source_event_is_parsed():
    assert parse_request({"kind": "router_config", "source": "s3://b/k.json"}) == UploadRequest(
        "router_config", source="s3://b/k.json"
    )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"payload": []}, "kind must be one of router_config, datamart_run: None"),
        ({"kind": "glue_job", "payload": []}, "kind must be one of"),
        ({"kind": "router_config"}, "give exactly one of payload"),
        ({"kind": "router_config", "payload": [], "source": "s3://b/k"}, "give exactly one of payload"),
        ({"kind": "router_config", "source": "b/k"}, "source must be an s3://bucket/key URI"),
        ({"kind": "router_config", "source": "s3://bucket-only"}, "source must be an s3://bucket/key URI"),
        ({"kind": "router_config", "payload": [], "dry_run": "yes"}, "dry_run must be true or false"),
        ("router_config", "the event must be a JSON object"),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(event, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_request(event)


def test_the_settings_default_the_keys_and_leave_job_names_unchecked():
    assert Settings.from_environ({"CONFIG_BUCKET": "b"}) == Settings(
        config_bucket="b", router_config_key="config/config.json", run_requests_prefix="config/runs/"
    )


def test_the_runs_prefix_gets_its_slash_and_the_job_list_is_split():
    settings = Settings.from_environ(
        {"CONFIG_BUCKET": "b", "RUN_REQUESTS_PREFIX": "runs", "DEPLOYED_LOAD_JOBS": "a, b,"}
    )

    assert (settings.run_requests_prefix, settings.deployed_load_jobs) == ("runs/", ("a", "b"))


def test_a_missing_config_bucket_variable_is_named():
    with pytest.raises(ConfigError, match="CONFIG_BUCKET is required"):
        Settings.from_environ({})
