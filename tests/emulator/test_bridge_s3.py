"""Bucket policy conditions are evaluated: a TLS-only policy lets requests through, as on AWS."""

import json

import pytest
from botocore.exceptions import ClientError

from local_aws.bridges import s3 as s3_bridge

pytestmark = pytest.mark.emulator


def _deny_object_access_when(condition: dict | None, bucket: str) -> str:
    statement = {
        "Sid": "Deny",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def bucket(local_aws, unique_name):
    local_aws.client("s3").create_bucket(Bucket=unique_name)
    return unique_name


def _put_and_get(local_aws, bucket: str) -> bytes:
    s3 = local_aws.client("s3")
    s3.put_object(Bucket=bucket, Key="in/2026-01-01/a.ndjson", Body=b'{"id": 1}\n')
    return s3.get_object(Bucket=bucket, Key="in/2026-01-01/a.ndjson")["Body"].read()


def test_objects_of_a_tls_only_bucket_can_be_written_and_read(local_aws, bucket):
    tls_only = _deny_object_access_when({"Bool": {"aws:SecureTransport": "false"}}, bucket)
    local_aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=tls_only)

    assert _put_and_get(local_aws, bucket) == b'{"id": 1}\n'


def test_moto_alone_denies_every_object_request_of_a_tls_only_bucket(in_process_moto, monkeypatch):
    monkeypatch.setattr(s3_bridge.FakeBucket, "get_permission", s3_bridge.moto_get_permission)
    s3 = in_process_moto("s3")
    s3.create_bucket(Bucket="tls-only")
    s3.put_bucket_policy(
        Bucket="tls-only",
        Policy=_deny_object_access_when({"Bool": {"aws:SecureTransport": "false"}}, "tls-only"),
    )

    with pytest.raises(ClientError, match="403"):
        s3.put_object(Bucket="tls-only", Key="a.ndjson", Body=b"{}")


def test_a_deny_whose_condition_holds_still_denies(local_aws, bucket):
    policy = _deny_object_access_when({"Bool": {"aws:SecureTransport": "true"}}, bucket)
    local_aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=policy)

    with pytest.raises(ClientError, match="403"):
        _put_and_get(local_aws, bucket)


def test_an_unconditional_deny_still_denies(local_aws, bucket):
    local_aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=_deny_object_access_when(None, bucket))

    with pytest.raises(ClientError, match="403"):
        _put_and_get(local_aws, bucket)


def test_a_condition_on_a_key_the_emulator_cannot_know_does_not_hold():
    assert not s3_bridge.condition_holds({"StringEquals": {"aws:SourceAccount": "123456789012"}})


def test_a_negated_condition_holds_when_no_value_matches():
    assert s3_bridge.condition_holds({"StringNotEquals": {"aws:SecureTransport": ["false", "no"]}})
