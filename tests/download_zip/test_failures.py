"""Objects that vanish are skipped and listed; any failure aborts the multipart upload, leaving nothing."""

import os

import boto3
import pytest
from botocore.exceptions import ClientError
from download_zip.request import parse_request
from download_zip.service import zip_prefix

from .conftest import DESTINATION, SOURCE, event, keys, manifest, members, put, read_zip


def delete_before_reading(s3, doomed: set[str]) -> None:
    """Deletes each doomed object between the listing and its GET, as a concurrent writer would."""
    other_client = boto3.client("s3", region_name="us-east-1")

    def hook(params, **_):
        if params["Key"] in doomed:
            other_client.delete_object(Bucket=SOURCE, Key=params["Key"])

    s3.meta.events.register("before-parameter-build.s3.GetObject", hook)


def fail_on(s3, operation: str, after_calls: int = 0) -> None:
    calls = []

    def hook(**_):
        calls.append(operation)
        if len(calls) > after_calls:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, operation)

    s3.meta.events.register(f"before-call.s3.{operation}", hook)


def test_an_object_that_vanishes_during_the_run_is_skipped_and_listed(s3, settings):
    put(s3, {"data/a.csv": b"a", "data/gone.csv": b"g", "data/z.csv": b"z"})
    delete_before_reading(s3, {"data/gone.csv"})

    result = zip_prefix(s3, parse_request(event()), settings)

    assert (result["files"], result["skipped"], result["vanished"]) == (2, 1, ["data/gone.csv"])
    archive = read_zip(s3)
    assert members(archive) == {"a.csv": b"a", "z.csv": b"z"}
    assert manifest(archive)["skipped"] == [{"key": "data/gone.csv", "reason": "vanished"}]


def test_when_every_object_vanishes_nothing_is_written(s3, settings):
    put(s3, {"data/a.csv": b"a"})
    delete_before_reading(s3, {"data/a.csv"})

    result = zip_prefix(s3, parse_request(event()), settings)

    assert (result["files"], result["vanished"], result["bytes_out"]) == (0, ["data/a.csv"], 0)
    assert keys(s3) == []
    assert s3.list_multipart_uploads(Bucket=DESTINATION).get("Uploads", []) == []


@pytest.mark.parametrize(
    ("operation", "after_calls"),
    [("UploadPart", 1), ("UploadPart", 0), ("GetObject", 2), ("CompleteMultipartUpload", 0)],
)
def test_a_failure_aborts_the_upload_leaving_no_object_and_no_parts(s3, settings, operation, after_calls):
    put(s3, {f"data/{n}.bin": os.urandom(3 * 1024**2) for n in range(5)})
    fail_on(s3, operation, after_calls)

    with pytest.raises(ClientError, match="injected"):
        zip_prefix(s3, parse_request(event()), settings)

    assert s3.list_multipart_uploads(Bucket=DESTINATION).get("Uploads", []) == []
    assert keys(s3) == []
