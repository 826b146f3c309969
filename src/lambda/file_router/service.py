"""One landed file routed, or one routed file settled: the decision, its effects, its record."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import boto3
from platform_common.clients import client
from platform_common.observability import Count, not_counted
from platform_common.sns import Notifier

from . import decisions as status
from .config import ConfigCache, RouterConfig
from .decisions import Decision, DecisionTable, now_iso
from .events import LandedObject, Settle
from .executions import Executions
from .identity import execution_name
from .moves import move
from .routing import execution_input, relocated_key, route
from .settings import Settings

logger = logging.getLogger(__name__)


def today() -> date:
    return datetime.now(UTC).date()


@dataclass
class Router:
    settings: Settings
    s3: Any
    configs: ConfigCache
    table: DecisionTable
    executions: Executions
    notifier: Notifier
    count: Count = not_counted
    clock: Callable[[], date] = today

    @classmethod
    def from_settings(cls, settings: Settings, count: Count = not_counted) -> Router:
        # One session for the four clients: it loads botocore's data once (a shorter cold start).
        session = boto3.session.Session()
        s3 = client("s3", session)
        notifier = Notifier(client("sns", session), settings.sns_topic_arn)
        return cls(
            settings=settings,
            s3=s3,
            configs=ConfigCache(
                s3, settings.config_refresh_seconds, settings.deployed_load_jobs, notifier.publish
            ),
            table=DecisionTable(client("dynamodb", session), settings.decisions_table),
            executions=Executions(client("stepfunctions", session), settings.step_function_arn),
            notifier=notifier,
            count=count,
        )

    def handle(self, obj: LandedObject) -> dict[str, Any]:
        if not obj.key.startswith(self.settings.input_prefix):
            # Our own moves land outside the input prefix; whatever else reaches the router is not its file.
            logger.info("key outside the input prefix", extra={"event": "file_ignored", "file_key": obj.key})
            self.count("FilesIgnored")
            return {"status": status.IGNORED}
        earlier = self.table.get(obj)
        if earlier is not None:
            return self._delivered_again(earlier)
        config = self.configs.current(self.settings.config_bucket or obj.bucket, self.settings.config_key)
        decided = route(config, obj)
        if decided.status == status.NOT_CONFIGURED:
            return self._not_configured(obj, config)
        if decided.status == status.INACTIVE:
            return self._inactive(obj, config, [match.job.job_id for match in decided.inactive])
        name = execution_name(obj)
        document = execution_input(
            obj,
            decided.active,
            config,
            self.settings.input_prefix,
            self.settings.archive_prefix,
            self.settings.failed_prefix,
            self.clock(),
        )
        jobs = [match.job.job_id for match in decided.active]
        if not self.executions.enabled:
            self._record(obj, status.HELD, config, jobs=jobs, execution=name, execution_input=document)
            logger.warning(
                "STEP_FUNCTION_ARN is blank: decision held",
                extra={"event": "file_held", "file_key": obj.key, "execution": name, "jobs": jobs},
            )
            self.count("FilesHeld")
            return {"status": status.HELD, "execution": name}
        if not self.executions.start(name, document):
            return self._execution_exists(name)
        self._record(obj, status.TRIGGERED, config, jobs=jobs, execution=name, execution_input=document)
        logger.info(
            "routing started",
            extra={"event": "file_triggered", "file_key": obj.key, "execution": name, "jobs": jobs},
        )
        self.count("FilesTriggered")
        return {"status": status.TRIGGERED, "execution": name}

    def settle(self, request: Settle) -> dict[str, Any]:
        """The routing state machine's last step: every load succeeded, the file goes to the archive; one
        failed, it goes aside under the failed prefix, with an alert naming each failed job and its error."""
        obj, failures = request.object, request.failures
        destination = request.failed_key if failures else request.archive_key
        move(self.s3, obj.bucket, obj.key, destination, obj.version_id, obj.etag)
        outcome = status.FAILED if failures else status.ARCHIVED
        errors = "; ".join(f"{failure.job_id}: {failure.error}: {failure.cause}" for failure in failures)
        recorded = self.table.settle(obj, outcome, destination, errors)
        details = {"file_key": obj.key, "moved_to": destination, "recorded": recorded}
        if failures:
            self.notifier.publish(
                f"Routed file failed: {obj.file_name}",
                {
                    "event": "routing_failed",
                    "file": obj.uri,
                    "moved_to": destination,
                    "failed_jobs": [
                        {"job_id": f.job_id, "error": f.error, "cause": f.cause} for f in failures
                    ],
                    "replay": f"platform-ops router replay --file {obj.uri}",
                },
            )
            logger.error("routed file failed", extra={"event": "routing_failed", "errors": errors, **details})
            self.count("RoutedFilesFailed")
        else:
            logger.info("routed file archived", extra={"event": "routing_archived", **details})
            self.count("RoutedFilesArchived")
        return {"status": outcome, "moved_to": destination, "failed_jobs": [f.job_id for f in failures]}

    def _delivered_again(self, earlier: Decision) -> dict[str, Any]:
        self.count("DuplicateDeliveries")
        logger.info(
            "object decided before",
            extra={"event": "duplicate_delivery", "file_key": earlier.file, "decision": earlier.status},
        )
        if earlier.status == status.TRIGGERED:
            # The execution says whether it still runs: its settle step may not have been recorded.
            running = not self.executions.enabled or self.executions.is_running(earlier.execution)
            outcome = status.ALREADY_RUNNING if running else status.ALREADY_PROCESSED
            return {"status": outcome, "execution": earlier.execution}
        if earlier.status in (status.ARCHIVED, status.FAILED, status.REPLAYED):
            return {"status": status.ALREADY_PROCESSED, "execution": earlier.execution}
        if earlier.status == status.NOT_CONFIGURED:
            return {"status": status.NOT_CONFIGURED, "moved_to": earlier.moved_to}
        if earlier.status == status.INACTIVE:
            return {"status": status.INACTIVE, "job_id": earlier.jobs[0]}
        return {"status": status.HELD, "execution": earlier.execution}

    def _execution_exists(self, name: str) -> dict[str, Any]:
        self.count("DuplicateDeliveries")
        running = self.executions.is_running(name)
        return {"status": status.ALREADY_RUNNING if running else status.ALREADY_PROCESSED, "execution": name}

    def _not_configured(self, obj: LandedObject, config: RouterConfig) -> dict[str, Any]:
        destination = relocated_key(obj.key, self.settings.input_prefix, self.settings.new_files_prefix)
        move(self.s3, obj.bucket, obj.key, destination, obj.version_id, obj.etag)
        self._record(obj, status.NOT_CONFIGURED, config, moved_to=destination)
        self.notifier.publish(
            "New / Not Configured File",
            {
                "event": "file_not_configured",
                "message": f"File not found in config.json\nOriginal: {obj.key}\nMoved to: {destination}",
                "bucket": obj.bucket,
                "original_key": obj.key,
                "moved_to": destination,
                "config_etag": config.etag,
            },
        )
        logger.info(
            "file not configured, moved aside",
            extra={"event": "file_not_configured", "file_key": obj.key, "moved_to": destination},
        )
        self.count("FilesNotConfigured")
        return {"status": status.NOT_CONFIGURED, "moved_to": destination}

    def _inactive(self, obj: LandedObject, config: RouterConfig, jobs: list[str]) -> dict[str, Any]:
        self._record(obj, status.INACTIVE, config, jobs=jobs)
        self.notifier.publish(
            "Inactive Job",
            {
                "event": "job_inactive",
                "message": f"File: {obj.file_name}\nJob ID: {jobs[0]}",
                "file": obj.uri,
                "job_id": jobs[0],
                "jobs": jobs,
                "config_etag": config.etag,
            },
        )
        logger.info("job inactive", extra={"event": "job_inactive", "file_key": obj.key, "jobs": jobs})
        self.count("FilesOfInactiveJobs")
        return {"status": status.INACTIVE, "job_id": jobs[0]}

    def _record(self, obj: LandedObject, decision: str, config: RouterConfig, **fields: Any) -> None:
        self.table.record(
            Decision(
                file=obj.uri,
                version=obj.version,
                status=decision,
                object=obj.as_dict(),
                config_etag=config.etag,
                decided_at=now_iso(),
                **fields,
            )
        )
