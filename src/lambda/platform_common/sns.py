"""Operator notices on the alerts topic."""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger(__name__)


class Notifier:
    """Best-effort notices: a failed publish is logged and never fails the invocation."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: dict[str, Any]) -> None:
        """Publishes `message` as JSON; its `event` field is the notice's kind, as in the logs."""
        if not self._topic_arn:
            return
        try:
            self._sns.publish(TopicArn=self._topic_arn, Subject=subject[:100], Message=json.dumps(message))
        except Exception:
            logger.exception(
                "could not publish notice %r to %s",
                subject,
                self._topic_arn,
                extra={"event": "notice_not_published", "notice": message.get("event")},
            )
