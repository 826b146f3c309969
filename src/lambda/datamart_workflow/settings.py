"""The workflow functions' settings, from their environment variables (set by terraform/datamart.tf)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from platform_common.settings import ConfigError


@dataclass(frozen=True)
class Settings:
    config_bucket: str
    runs_table: str
    intake_bucket: str = ""
    intake_parquet_prefix: str = "parquet/"
    datamart_secret_arn: str = ""
    notify_topic_arn: str = ""
    alerts_topic_arn: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def value(name: str, required: bool = False) -> str:
            text = env.get(name, "").strip()
            if required and not text:
                raise ConfigError(f"{name} is required and is blank or unset")
            return text

        prefix = value("INTAKE_PARQUET_PREFIX") or cls.intake_parquet_prefix
        return cls(
            config_bucket=value("CONFIG_BUCKET", required=True),
            runs_table=value("RUNS_TABLE", required=True),
            intake_bucket=value("INTAKE_BUCKET"),
            intake_parquet_prefix=prefix if prefix.endswith("/") else prefix + "/",
            datamart_secret_arn=value("DATAMART_SECRET_ARN"),
            notify_topic_arn=value("NOTIFY_TOPIC_ARN"),
            alerts_topic_arn=value("ALERTS_TOPIC_ARN"),
        )

    def require_database(self) -> str:
        if not self.datamart_secret_arn:
            raise ConfigError("DATAMART_SECRET_ARN is required and is blank or unset")
        return self.datamart_secret_arn
