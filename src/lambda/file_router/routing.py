"""The decision for one landed file, and what each decision writes where: no I/O here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from platform_common.file_patterns import file_format

from .config import RouterConfig
from .decisions import INACTIVE, NOT_CONFIGURED, TRIGGERED
from .events import LandedObject
from .identity import run_id
from .matching import Match, matching_jobs


@dataclass(frozen=True)
class Route:
    status: str  # not_configured, inactive or triggered (held, when executions are off)
    active: list[Match]
    inactive: list[Match]


def route(config: RouterConfig, obj: LandedObject) -> Route:
    """Every active job that matches gets the file; only inactive ones: inactive; none: not configured."""
    matches = matching_jobs(config, obj.file_name)
    active = [match for match in matches if match.job.is_active]
    inactive = [match for match in matches if not match.job.is_active]
    if active:
        return Route(TRIGGERED, active, inactive)
    return Route(INACTIVE if inactive else NOT_CONFIGURED, [], inactive)


def relocated_key(key: str, input_prefix: str, prefix: str) -> str:
    """The key under `prefix`, with its path under the input prefix: two folders' orders.csv never meet."""
    return prefix + key[len(input_prefix) :]


def archive_key(key: str, input_prefix: str, archive_prefix: str, day: date) -> str:
    return relocated_key(key, input_prefix, f"{archive_prefix}{day:%Y/%m/%d}/")


def execution_input(
    obj: LandedObject,
    matches: list[Match],
    config: RouterConfig,
    input_prefix: str,
    archive_prefix: str,
    failed_prefix: str,
    day: date,
) -> str:
    """The routing state machine's input: our users' `glue_jobs` (one item per active matching job, with
    what the load needs beside their fields) and the file, with where it goes when its loads end."""
    fmt = file_format(obj.file_name)
    document: dict[str, Any] = {
        "glue_jobs": [
            {
                "job_id": match.job.job_id,
                "job_name": match.job.job_name,
                "source_file_name": obj.file_name,
                "target_table": match.job.target_table,
                "upsert_keys": list(match.job.upsert_keys),
                "tokens": match.tokens,
                "format": fmt,
                "run_id": run_id(obj, match.job.job_id),
            }
            for match in matches
        ],
        "file": {
            **obj.as_dict(),
            "uri": obj.uri,
            "archive_key": archive_key(obj.key, input_prefix, archive_prefix, day),
            "failed_key": relocated_key(obj.key, input_prefix, failed_prefix),
        },
        "config": {"etag": config.etag, "version_id": config.version_id},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True)
