"""S3 may deliver a notification more than once: each file is still tracked once and lands in one manifest."""

import json

import pytest

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

DAY = "2024-01-04"


@pytest.fixture(scope="module")
def duplicated(scenario, dev_deployment):
    files = sample_data.uniform_files(DAY, count=4, lines_per_file=20, seed=4)
    uris = scenario.upload(files)
    sqs = dev_deployment.aws.client("sqs")
    queue_url = dev_deployment.outputs["intake_queue_url"]
    # Every notification of this scenario is delivered twice.
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    notifications = [m for m in received["Messages"] if DAY in m["Body"]]
    for message in notifications:
        sqs.send_message(QueueUrl=queue_url, MessageBody=message["Body"])
    scenario.run()
    return {
        "uris": uris,
        "deliveries": len(notifications) * 2,
        "items": scenario.items(DAY),
        "rows": dev_deployment.parquet_rows_by_date().get(DAY),
        "expected_rows": sum(f.valid_lines for f in files),
    }


def test_each_file_is_tracked_once(duplicated):
    assert duplicated["deliveries"] == 8
    assert sorted(duplicated["items"]["files"]) == sorted(duplicated["uris"])


def test_each_file_is_listed_in_exactly_one_manifest(duplicated, dev_deployment):
    s3 = dev_deployment.aws.client("s3")
    listed = []
    for manifest in duplicated["items"]["manifests"].values():
        bucket, key = manifest.manifest_path[len("s3://") :].split("/", 1)
        document = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        listed.extend(uri for location in document["fileLocations"] for uri in location["URIPrefixes"])

    assert sorted(listed) == sorted(duplicated["uris"])


def test_no_row_is_written_twice(duplicated):
    assert duplicated["rows"] == duplicated["expected_rows"]
