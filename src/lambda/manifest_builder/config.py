"""Runtime configuration read once per container from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from platform_common.settings import ConfigError, integer

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class Config:
    tracking_table: str
    manifest_bucket: str
    manifest_prefix: str = "manifests/"
    quarantine_bucket: str = ""
    step_function_arn: str = ""
    sns_topic_arn: str = ""
    allowed_extensions: tuple[str, ...] = (".ndjson",)
    min_file_size_bytes: int = 1
    max_file_size_bytes: int = 5 * GIB
    max_files_per_manifest: int = 200
    max_bytes_per_manifest: int = 700 * MIB
    min_files_for_partial_batch: int = 1
    lock_ttl_seconds: int = 120
    sweep_lookback_days: int = 366
    # A date whose oldest pending file has waited this long is flushed partially (0: only past dates are).
    max_batch_wait_seconds: int = 900
    # What the reconciliation lists (blank bucket: no reconciliation), and how many objects one run lists.
    input_bucket: str = ""
    input_prefix: str = ""
    reconcile_max_objects: int = 20_000

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        config = cls(
            tracking_table=_required(env, "TRACKING_TABLE"),
            manifest_bucket=_required(env, "MANIFEST_BUCKET"),
            manifest_prefix=_prefix(env, "MANIFEST_PREFIX", cls.manifest_prefix),
            quarantine_bucket=env.get("QUARANTINE_BUCKET", "").strip(),
            step_function_arn=_arn(env, "STEP_FUNCTION_ARN", ":states:"),
            sns_topic_arn=_arn(env, "SNS_TOPIC_ARN", ":sns:"),
            allowed_extensions=_extensions(env, "ALLOWED_EXTENSIONS", cls.allowed_extensions),
            min_file_size_bytes=integer(env, "MIN_FILE_SIZE_BYTES", cls.min_file_size_bytes, minimum=0),
            max_file_size_bytes=integer(env, "MAX_FILE_SIZE_BYTES", cls.max_file_size_bytes, minimum=1),
            max_files_per_manifest=integer(env, "MAX_FILES_PER_MANIFEST", cls.max_files_per_manifest, 1),
            max_bytes_per_manifest=integer(env, "MAX_BYTES_PER_MANIFEST", cls.max_bytes_per_manifest, 1),
            min_files_for_partial_batch=integer(
                env, "MIN_FILES_FOR_PARTIAL_BATCH", cls.min_files_for_partial_batch, minimum=1
            ),
            lock_ttl_seconds=integer(env, "LOCK_TTL_SECONDS", cls.lock_ttl_seconds, minimum=10),
            sweep_lookback_days=integer(env, "SWEEP_LOOKBACK_DAYS", cls.sweep_lookback_days, minimum=1),
            max_batch_wait_seconds=integer(
                env, "MAX_BATCH_WAIT_SECONDS", cls.max_batch_wait_seconds, minimum=0
            ),
            input_bucket=env.get("INPUT_BUCKET", "").strip(),
            input_prefix=env.get("INPUT_PREFIX", "").strip(),
            reconcile_max_objects=integer(env, "RECONCILE_MAX_OBJECTS", cls.reconcile_max_objects, minimum=1),
        )
        if config.min_file_size_bytes > config.max_file_size_bytes:
            raise ConfigError(
                f"MIN_FILE_SIZE_BYTES ({config.min_file_size_bytes}) is greater than "
                f"MAX_FILE_SIZE_BYTES ({config.max_file_size_bytes})"
            )
        if config.min_files_for_partial_batch > config.max_files_per_manifest:
            raise ConfigError(
                f"MIN_FILES_FOR_PARTIAL_BATCH ({config.min_files_for_partial_batch}) is greater than "
                f"MAX_FILES_PER_MANIFEST ({config.max_files_per_manifest})"
            )
        return config


# Each field is read from the variable of its name in capitals; the operator CLI reads the same names back
# from the deployed function (platform_ops.intake.settings).
VARIABLES = tuple(field.name.upper() for field in fields(Config))


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is required and is blank or unset")
    return value


def _prefix(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if value.startswith("/"):
        raise ConfigError(f"{name} must not start with '/': {value!r}")
    return value if value.endswith("/") else value + "/"


def _arn(env: Mapping[str, str], name: str, service_marker: str) -> str:
    value = env.get(name, "").strip()
    if value and not (value.startswith("arn:") and service_marker in value):
        raise ConfigError(f"{name} must be blank or an ARN containing {service_marker!r}: {value!r}")
    return value


def _extensions(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    extensions = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    bad = [ext for ext in extensions if not ext.startswith(".") or len(ext) < 2]
    if not extensions or bad:
        raise ConfigError(f"{name} must be a comma-separated list like '.ndjson,.jsonl': {raw!r}")
    return extensions
