"""The intake's AWS calls besides DynamoDB: S3 objects (quarantine copies, manifests), Step Functions starts.

Clients are created once per container (module `handler` keeps them) and passed in: tests bind them to moto.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3
from botocore.exceptions import ClientError
from platform_common import s3
from platform_common.clients import client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AwsClients:
    dynamodb: Any
    s3: Any
    stepfunctions: Any
    sns: Any

    @classmethod
    def create(cls, session: boto3.session.Session | None = None) -> AwsClients:
        session = session or boto3.session.Session()
        return cls(*(client(service, session) for service in ("dynamodb", "s3", "stepfunctions", "sns")))


class ObjectStore:
    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def put_json(self, bucket: str, key: str, document: dict[str, Any]) -> None:
        s3.put_json(self._s3, bucket, key, document)

    def get_json(self, uri: str) -> dict[str, Any]:
        return s3.get_json(self._s3, uri)

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
            logger.info(
                "execution %s already exists: not started twice",
                name,
                extra={"event": "execution_already_exists", "execution_name": name},
            )
            return execution_arn(state_machine_arn, name)
        return response["executionArn"]


def execution_arn(state_machine_arn: str, name: str) -> str:
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"
