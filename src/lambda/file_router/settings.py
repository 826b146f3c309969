"""The router's settings from its environment variables, read once per container.

Only SNS_TOPIC_ARN and STEP_FUNCTION_ARN come from our users' router; every other setting defaults to what
it did (config at config/config.json in the event's bucket, input data/in/, unknown files to
data/new_files/). A blank STEP_FUNCTION_ARN is the rollback: decisions are recorded as held, nothing starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from platform_common.settings import ConfigError, integer


@dataclass(frozen=True)
class Settings:
    sns_topic_arn: str = ""
    step_function_arn: str = ""
    # Blank: the config is read from the bucket of each event, as our users' router read it.
    config_bucket: str = ""
    config_key: str = "config/config.json"
    input_prefix: str = "data/in/"
    new_files_prefix: str = "data/new_files/"
    archive_prefix: str = "data/archive/"
    failed_prefix: str = "data/failed/"
    # Blank: decisions are only logged (our users' router recorded none); Terraform always sets it.
    decisions_table: str = ""
    config_refresh_seconds: int = 60
    # None: job names are not checked against a list (none given), as UploadConfig without it.
    deployed_load_jobs: tuple[str, ...] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        if "SNS_TOPIC_ARN" not in env or "STEP_FUNCTION_ARN" not in env:
            # Our users' router required both; set STEP_FUNCTION_ARN blank, not unset, to hold decisions.
            missing = [name for name in ("SNS_TOPIC_ARN", "STEP_FUNCTION_ARN") if name not in env]
            raise ConfigError(f"{' and '.join(missing)} must be set (STEP_FUNCTION_ARN may be blank)")
        return cls(
            sns_topic_arn=_arn(env, "SNS_TOPIC_ARN", ":sns:"),
            step_function_arn=_arn(env, "STEP_FUNCTION_ARN", ":states:"),
            config_bucket=env.get("CONFIG_BUCKET", "").strip(),
            config_key=env.get("CONFIG_KEY", "").strip() or cls.config_key,
            input_prefix=_prefix(env, "INPUT_PREFIX", cls.input_prefix),
            new_files_prefix=_prefix(env, "NEW_FILES_PREFIX", cls.new_files_prefix),
            archive_prefix=_prefix(env, "ARCHIVE_PREFIX", cls.archive_prefix),
            failed_prefix=_prefix(env, "FAILED_PREFIX", cls.failed_prefix),
            decisions_table=env.get("DECISIONS_TABLE", "").strip(),
            config_refresh_seconds=integer(
                env, "CONFIG_REFRESH_SECONDS", cls.config_refresh_seconds, minimum=0, maximum=3600
            ),
            deployed_load_jobs=_names(env.get("DEPLOYED_LOAD_JOBS", "")),
        )


def _arn(env: Mapping[str, str], name: str, service: str) -> str:
    value = env.get(name, "").strip()
    if value and not (value.startswith("arn:") and service in value):
        raise ConfigError(f"{name} must be blank or an ARN of {service.strip(':')}: {value!r}")
    return value


def _prefix(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if value.startswith("/") or not value.endswith("/"):
        raise ConfigError(f"{name} must be a key prefix ending in / without a leading /: {value!r}")
    return value


def _names(raw: str) -> tuple[str, ...] | None:
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    return names or None
