"""The AWS calls other than DynamoDB: S3 objects, Step Functions starts and SNS notices.

Clients are created once per container (module `handler` keeps them) and passed in: tests bind them to moto.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

# Standard retry mode backs off on throttling and transient errors of every client the same way.
_CLIENT_CONFIG = BotoConfig(retries={"mode": "standard", "max_attempts": 5})


@dataclass(frozen=True)
class AwsClients:
    dynamodb: Any
    s3: Any
    stepfunctions: Any
    sns: Any

    @classmethod
    def create(cls, session: boto3.session.Session | None = None) -> AwsClients:
        session = session or boto3.session.Session()
        return cls(
            dynamodb=session.client("dynamodb", config=_CLIENT_CONFIG),
            s3=session.client("s3", config=_CLIENT_CONFIG),
            stepfunctions=session.client("stepfunctions", config=_CLIENT_CONFIG),
            sns=session.client("sns", config=_CLIENT_CONFIG),
        )


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


class ObjectStore:
    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def put_json(self, bucket: str, key: str, document: dict[str, Any]) -> None:
        self._s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps(document, indent=2).encode("utf-8"),
            ContentType="application/json",
        )

    def get_json(self, uri: str) -> dict[str, Any]:
        bucket, key = split_s3_uri(uri)
        return json.loads(self._s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    def quarantine_copy(
        self, source_bucket: str, source_key: str, bucket: str, key: str, reason: str, quarantined_at: str
    ) -> bool:
        """Copies the object with its reason in the metadata; False when the source no longer exists.

        S3 metadata travels as HTTP headers, which must be ASCII: the original URI is percent-encoded.
        The managed copy switches to a multipart copy above 5 GB, the size of many rejected files.
        """
        metadata = {
            "quarantine-reason": quote(reason, safe=" :/.,'_-=<>()"),
            "original-uri": quote(f"s3://{source_bucket}/{source_key}", safe=":/"),
            "quarantined-at": quarantined_at,
        }
        try:
            self._s3.copy(
                {"Bucket": source_bucket, "Key": source_key},
                bucket,
                key,
                ExtraArgs={"Metadata": metadata, "MetadataDirective": "REPLACE"},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey"}:
                return False
            raise
        return True


class Workflow:
    def __init__(self, stepfunctions: Any) -> None:
        self._sfn = stepfunctions

    def start(self, state_machine_arn: str, name: str, execution_input: dict[str, Any]) -> str:
        """Starts the execution named `name`; an existing one of that name counts as started."""
        try:
            response = self._sfn.start_execution(
                stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            logger.info("execution %s already exists: not started twice", name)
            return execution_arn(state_machine_arn, name)
        return response["executionArn"]


def execution_arn(state_machine_arn: str, name: str) -> str:
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"


class Notifier:
    """Best-effort operator notices: a failed publish is logged and never fails the invocation."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: dict[str, Any]) -> None:
        if not self._topic_arn:
            return
        try:
            self._sns.publish(TopicArn=self._topic_arn, Subject=subject[:100], Message=json.dumps(message))
        except Exception:
            logger.exception("could not publish notice %r to %s", subject, self._topic_arn)
