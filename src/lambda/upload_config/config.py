"""Where each kind lives and which load jobs are deployed, from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    config_bucket: str
    router_config_key: str = "config/config.json"
    run_requests_prefix: str = "config/runs/"
    # None: the list is not known here, and job names are not checked against it.
    deployed_load_jobs: tuple[str, ...] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        bucket = env.get("CONFIG_BUCKET", "").strip()
        if not bucket:
            raise ConfigError("CONFIG_BUCKET is required and is blank or unset")
        prefix = env.get("RUN_REQUESTS_PREFIX", "").strip() or cls.run_requests_prefix
        return cls(
            config_bucket=bucket,
            router_config_key=env.get("ROUTER_CONFIG_KEY", "").strip() or cls.router_config_key,
            run_requests_prefix=prefix if prefix.endswith("/") else prefix + "/",
            deployed_load_jobs=job_list(env.get("DEPLOYED_LOAD_JOBS", "")),
        )


def job_list(raw: str | None) -> tuple[str, ...] | None:
    """A comma-separated list of load job names; blank means not given (None), not an empty list."""
    names = tuple(name.strip() for name in (raw or "").split(",") if name.strip())
    return names or None
