"""The router's config: config/config.json read from S3, validated, cached and revalidated cheaply.

At the first read (a cold start) a missing or invalid config raises ConfigUnavailable: the invocation
fails and is retried, then dead-lettered, and no file is routed on a config the router never saw valid.
After that the cached config serves for `refresh_seconds`; then one conditional GET (If-None-Match the
ETag last seen) tells whether it changed. An invalid or vanished update keeps the last good config and
is announced once, not at every check.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from platform_common.config_validation import default_job_name, violations
from platform_common.file_patterns import EXACT, Matcher, compile_matcher

logger = logging.getLogger(__name__)

_NOT_MODIFIED = {"304", "NotModified"}
_MISSING = {"404", "NoSuchKey", "NoSuchBucket"}


class ConfigUnavailable(RuntimeError):
    """No valid config has been read yet: nothing may be routed."""


@dataclass(frozen=True)
class Job:
    job_id: str
    job_name: str
    source_file_name: str
    target_table: str
    upsert_keys: tuple[str, ...]
    is_active: bool
    match: str
    pattern: str | None
    matcher: Matcher = field(repr=False, compare=False)

    @classmethod
    def from_dict(cls, job: dict[str, Any]) -> Job:
        match = job.get("match", EXACT)
        return cls(
            job_id=job["job_id"],
            job_name=job.get("job_name", default_job_name()),
            source_file_name=job["source_file_name"],
            target_table=job["target_table"],
            upsert_keys=tuple(job["upsert_keys"]),
            is_active=job["is_active"],
            match=match,
            pattern=job.get("pattern"),
            matcher=compile_matcher(match, job["source_file_name"], job.get("pattern")),
        )


@dataclass(frozen=True)
class RouterConfig:
    jobs: tuple[Job, ...]
    etag: str
    version_id: str = ""


# (subject, message) of an operator notice; the cache announces refused updates through it.
Announce = Callable[[str, dict[str, Any]], None]


@dataclass
class _Entry:
    config: RouterConfig
    checked_at: float
    seen_etag: str


class ConfigCache:
    """The last good config of each (bucket, key), revalidated at most every `refresh_seconds`."""

    def __init__(
        self,
        s3: Any,
        refresh_seconds: int,
        deployed_jobs: Sequence[str] | None,
        announce: Announce,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s3 = s3
        self._refresh_seconds = refresh_seconds
        self._deployed_jobs = deployed_jobs
        self._announce = announce
        self._clock = clock
        self._entries: dict[tuple[str, str], _Entry] = {}

    def current(self, bucket: str, key: str) -> RouterConfig:
        entry = self._entries.get((bucket, key))
        now = self._clock()
        if entry is None:
            config = self._first_read(bucket, key)
            self._entries[(bucket, key)] = _Entry(config, now, config.etag)
            return config
        if now - entry.checked_at >= self._refresh_seconds:
            self._revalidate(bucket, key, entry)
            entry.checked_at = now
        return entry.config

    def _first_read(self, bucket: str, key: str) -> RouterConfig:
        uri = f"s3://{bucket}/{key}"
        try:
            response = self._s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in _MISSING:
                raise ConfigUnavailable(
                    f"config {uri} does not exist: no file is routed without one"
                ) from None
            raise
        config, problems = self._parse(response)
        if problems:
            raise ConfigUnavailable(
                f"config {uri} (ETag {config.etag}) is invalid, no file is routed until it is fixed:\n  "
                + "\n  ".join(problems)
            )
        logger.info(
            "config loaded",
            extra={
                "event": "config_loaded",
                "config_uri": uri,
                "config_etag": config.etag,
                "jobs": len(config.jobs),
            },
        )
        return config

    def _revalidate(self, bucket: str, key: str, entry: _Entry) -> None:
        uri = f"s3://{bucket}/{key}"
        try:
            response = self._s3.get_object(Bucket=bucket, Key=key, IfNoneMatch=entry.seen_etag)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in _NOT_MODIFIED:
                return
            if code not in _MISSING:
                raise
            if entry.seen_etag != "":
                entry.seen_etag = ""
                self._refused(uri, entry, ["the config was deleted"])
            return
        candidate, problems = self._parse(response)
        entry.seen_etag = candidate.etag
        if problems:
            self._refused(uri, entry, problems, candidate.etag)
            return
        entry.config = candidate
        logger.info(
            "config updated",
            extra={
                "event": "config_updated",
                "config_uri": uri,
                "config_etag": candidate.etag,
                "jobs": len(candidate.jobs),
            },
        )

    def _refused(self, uri: str, entry: _Entry, problems: list[str], etag: str = "") -> None:
        details = {
            "event": "config_update_refused",
            "config_uri": uri,
            "refused_etag": etag,
            "kept_etag": entry.config.etag,
            "violations": problems,
        }
        logger.error("config update refused, the last good config stays in use", extra=details)
        self._announce("Router config update refused", details)

    def _parse(self, response: dict[str, Any]) -> tuple[RouterConfig, list[str]]:
        etag = response["ETag"].strip('"')
        version_id = response.get("VersionId") or ""
        try:
            payload = json.loads(response["Body"].read())
        except ValueError as error:
            return RouterConfig((), etag, version_id), [f"$: not JSON: {error}"]
        problems = [str(v) for v in violations("router_config", payload, self._deployed_jobs)]
        if problems:
            return RouterConfig((), etag, version_id), problems
        return RouterConfig(tuple(Job.from_dict(job) for job in payload), etag, version_id), []
