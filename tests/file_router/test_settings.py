"""The router's settings: our users' two variables, and defaults that reproduce their router for the rest."""

import pytest
from file_router.settings import Settings
from platform_common.settings import ConfigError

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:routing"


def test_with_only_our_users_variables_every_default_is_their_routers_behaviour():
    settings = Settings.from_environ({"SNS_TOPIC_ARN": TOPIC, "STEP_FUNCTION_ARN": MACHINE})

    assert (settings.config_bucket, settings.config_key) == ("", "config/config.json")  # the event's bucket
    assert (settings.input_prefix, settings.new_files_prefix) == ("data/in/", "data/new_files/")
    assert (settings.decisions_table, settings.deployed_load_jobs) == ("", None)


@pytest.mark.parametrize("missing", ["SNS_TOPIC_ARN", "STEP_FUNCTION_ARN"])
def test_our_users_variables_must_be_set_even_if_blank(missing):
    environ = {"SNS_TOPIC_ARN": TOPIC, "STEP_FUNCTION_ARN": MACHINE}
    del environ[missing]

    with pytest.raises(ConfigError, match=f"{missing} must be set"):
        Settings.from_environ(environ)


def test_a_blank_step_function_arn_is_the_rollback_not_an_error():
    assert Settings.from_environ({"SNS_TOPIC_ARN": TOPIC, "STEP_FUNCTION_ARN": " "}).step_function_arn == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STEP_FUNCTION_ARN", TOPIC, "STEP_FUNCTION_ARN must be blank or an ARN of states"),
        ("INPUT_PREFIX", "/data/in", "INPUT_PREFIX must be a key prefix ending in /"),
        ("CONFIG_REFRESH_SECONDS", "7200", "CONFIG_REFRESH_SECONDS must be between 0 and 3600"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(name, value, message):
    environ = {"SNS_TOPIC_ARN": TOPIC, "STEP_FUNCTION_ARN": MACHINE, name: value}

    with pytest.raises(ConfigError, match=message):
        Settings.from_environ(environ)


def test_deployed_load_jobs_is_a_comma_separated_list():
    environ = {
        "SNS_TOPIC_ARN": "",
        "STEP_FUNCTION_ARN": "",
        "DEPLOYED_LOAD_JOBS": "datamart-load, other-load",
    }

    assert Settings.from_environ(environ).deployed_load_jobs == ("datamart-load", "other-load")
