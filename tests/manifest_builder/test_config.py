import pytest
from manifest_builder.config import GIB, MIB, Config, ConfigError

REQUIRED = {"TRACKING_TABLE": "tracking", "MANIFEST_BUCKET": "manifests"}


def test_optional_variables_take_their_documented_defaults():
    config = Config.from_environ(REQUIRED)

    assert config.manifest_prefix == "manifests/"
    assert config.quarantine_bucket == ""
    assert config.step_function_arn == ""
    assert config.allowed_extensions == (".ndjson",)
    assert (config.min_file_size_bytes, config.max_file_size_bytes) == (1, 5 * GIB)
    assert (config.max_files_per_manifest, config.max_bytes_per_manifest) == (200, 700 * MIB)
    assert config.min_files_for_partial_batch == 1
    assert config.lock_ttl_seconds == 120


@pytest.mark.parametrize("name", ["TRACKING_TABLE", "MANIFEST_BUCKET"])
def test_a_missing_required_variable_is_named_in_the_error(name):
    env = {**REQUIRED, name: "  "}

    with pytest.raises(ConfigError, match=name):
        Config.from_environ(env)


@pytest.mark.parametrize(
    "name, value",
    [
        ("MAX_FILES_PER_MANIFEST", "lots"),
        ("MIN_FILE_SIZE_BYTES", "-1"),
        ("LOCK_TTL_SECONDS", "1.5"),
        ("ALLOWED_EXTENSIONS", "ndjson"),
        ("STEP_FUNCTION_ARN", "my-state-machine"),
        ("SNS_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:not-a-topic"),
        ("MANIFEST_PREFIX", "/manifests"),
    ],
)
def test_a_malformed_variable_is_named_in_the_error(name, value):
    with pytest.raises(ConfigError, match=name):
        Config.from_environ({**REQUIRED, name: value})


def test_a_minimum_file_size_above_the_maximum_is_refused():
    env = {**REQUIRED, "MIN_FILE_SIZE_BYTES": "100", "MAX_FILE_SIZE_BYTES": "10"}

    with pytest.raises(ConfigError, match="MIN_FILE_SIZE_BYTES"):
        Config.from_environ(env)


def test_allowed_extensions_are_a_lowercase_comma_separated_list():
    config = Config.from_environ({**REQUIRED, "ALLOWED_EXTENSIONS": ".NDJSON, .jsonl"})

    assert config.allowed_extensions == (".ndjson", ".jsonl")


def test_a_blank_step_function_arn_is_the_accepted_rollback_setting():
    config = Config.from_environ({**REQUIRED, "STEP_FUNCTION_ARN": ""})

    assert config.step_function_arn == ""


def test_the_manifest_prefix_always_ends_with_a_slash():
    assert Config.from_environ({**REQUIRED, "MANIFEST_PREFIX": "batches"}).manifest_prefix == "batches/"
