"""Where each kind is written, as a new version, with the previous version's id; refusals write nothing."""

import json

import boto3
import pytest
from upload_config.config import Settings
from upload_config.request import InvalidConfig, InvalidRequest, UploadRequest
from upload_config.service import upload

from .conftest import BUCKET, RUN_FOR_DATE, keys


def body(s3, key, version_id):
    return json.loads(s3.get_object(Bucket=BUCKET, Key=key, VersionId=version_id)["Body"].read())


def test_a_router_config_goes_to_the_routers_key_as_a_new_version(s3, store, settings, router_config):
    result = upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert result == {
        "kind": "router_config",
        "destination": f"s3://{BUCKET}/config/config.json",
        "version_id": result["version_id"],
        "previous_version_id": None,
        "dry_run": False,
        "violations": [],
    }
    assert body(s3, "config/config.json", result["version_id"]) == router_config


def test_a_second_upload_returns_the_version_it_replaced(s3, store, settings, router_config):
    first = upload(store, settings, UploadRequest("router_config", payload=router_config))
    router_config[1]["is_active"] = True

    second = upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert second["previous_version_id"] == first["version_id"] != second["version_id"]
    assert body(s3, "config/config.json", first["version_id"])[1]["is_active"] is False


def test_the_router_key_is_configurable(s3, store, router_config):
    settings = Settings.from_environ({"CONFIG_BUCKET": BUCKET, "ROUTER_CONFIG_KEY": "router/jobs.json"})

    result = upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert result["destination"] == f"s3://{BUCKET}/router/jobs.json"


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        (RUN_FOR_DATE, "config/runs/EDV-2026-11-28.json"),
        (
            {"bundle": "DM", "sources": ["s3://landing-bucket/b", "s3://landing-bucket/a"]},
            "config/runs/DM-sources-a373c8139ea04f5c.json",
        ),
    ],
)
def test_a_run_request_goes_under_the_runs_prefix_by_a_name_derived_from_it(
    s3, store, settings, payload, key
):
    result = upload(store, settings, UploadRequest("datamart_run", payload=payload))

    assert result["destination"] == f"s3://{BUCKET}/{key}"
    assert body(s3, key, result["version_id"]) == payload


def test_the_same_sources_in_another_order_are_the_same_request(s3, store, settings):
    a = upload(
        store,
        settings,
        UploadRequest(
            "datamart_run",
            payload={"bundle": "DM", "sources": ["s3://landing-bucket/x", "s3://landing-bucket/y"]},
        ),
    )
    b = upload(
        store,
        settings,
        UploadRequest(
            "datamart_run",
            payload={"bundle": "DM", "sources": ["s3://landing-bucket/y", "s3://landing-bucket/x"]},
        ),
    )

    assert (a["destination"], a["version_id"]) == (b["destination"], b["previous_version_id"])


def test_an_invalid_payload_is_refused_with_every_violation_and_nothing_is_written(
    s3, store, settings, router_config
):
    router_config[0]["is_active"] = "yes"
    router_config[1]["job_id"] = "JOB001"

    with pytest.raises(InvalidConfig) as refused:
        upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert str(refused.value) == (
        "router_config payload refused, 2 violation(s):\n"
        "  $[0].is_active: 'yes' is not of type 'boolean'\n"
        "  $[1].job_id: duplicate job_id 'JOB001', first at $[0]"
    )
    assert keys(s3) == []


def test_job_names_are_checked_against_the_deployed_jobs_when_configured(s3, store, router_config):
    settings = Settings.from_environ({"CONFIG_BUCKET": BUCKET, "DEPLOYED_LOAD_JOBS": "customers_load"})

    with pytest.raises(InvalidConfig, match=r"\$\[1\].job_name: 'orders_load' is not a deployed load job"):
        upload(store, settings, UploadRequest("router_config", payload=router_config))


def test_a_dry_run_reports_without_writing(s3, store, settings, router_config):
    first = upload(store, settings, UploadRequest("router_config", payload=router_config))

    result = upload(store, settings, UploadRequest("router_config", payload=router_config, dry_run=True))

    assert (result["dry_run"], result["version_id"], result["previous_version_id"]) == (
        True,
        None,
        first["version_id"],
    )
    assert keys(s3) == ["config/config.json"]


def test_a_dry_run_of_an_invalid_payload_returns_its_violations(s3, store, settings):
    result = upload(store, settings, UploadRequest("datamart_run", payload={"bundle": "EDV"}, dry_run=True))

    assert result["destination"] is None
    assert result["violations"] == [
        {"path": "$", "message": "a run request names either run_date or sources, not both and not neither"}
    ]
    assert keys(s3) == []


def test_a_bucket_without_versioning_is_refused_before_writing(s3, store, router_config):
    s3.create_bucket(Bucket="unversioned-config")
    settings = Settings(config_bucket="unversioned-config")

    with pytest.raises(InvalidRequest, match="'unversioned-config' must have versioning Enabled"):
        upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert s3.list_objects_v2(Bucket="unversioned-config").get("KeyCount") == 0


def test_suspended_versioning_is_refused_too(s3, store, settings, router_config):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})

    with pytest.raises(InvalidRequest, match="it is Suspended"):
        upload(store, settings, UploadRequest("router_config", payload=router_config))


def test_a_missing_config_bucket_is_named(s3, store, router_config):
    with pytest.raises(InvalidRequest, match="config bucket 'no-such-config' does not exist"):
        upload(
            store,
            Settings(config_bucket="no-such-config"),
            UploadRequest("router_config", payload=router_config),
        )


def test_the_payload_can_come_from_an_s3_object(s3, store, settings):
    s3.put_object(Bucket=BUCKET, Key="incoming/run.json", Body=json.dumps(RUN_FOR_DATE))

    result = upload(store, settings, UploadRequest("datamart_run", source=f"s3://{BUCKET}/incoming/run.json"))

    assert body(s3, "config/runs/EDV-2026-11-28.json", result["version_id"]) == RUN_FOR_DATE


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "source s3://platform-config/incoming/run.json does not exist"), (b"{not json", "is not JSON")],
)
def test_a_missing_or_unreadable_source_is_a_clear_error(s3, store, settings, content, message):
    if content is not None:
        s3.put_object(Bucket=BUCKET, Key="incoming/run.json", Body=content)

    with pytest.raises(InvalidRequest, match=message):
        upload(store, settings, UploadRequest("datamart_run", source=f"s3://{BUCKET}/incoming/run.json"))


def write_in_between(s3, key: str, document) -> None:
    """Another writer's version of `key`, landing between this upload's read and its write."""
    other_client = boto3.client("s3", region_name="us-east-1")
    s3.meta.events.register(
        "before-parameter-build.s3.PutObject",
        lambda params, **_: other_client.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(document)),
    )


def test_a_config_changed_by_someone_else_meanwhile_is_not_overwritten(s3, store, settings, router_config):
    upload(store, settings, UploadRequest("router_config", payload=router_config))
    theirs = [dict(router_config[0], job_id="THEIRS")]
    write_in_between(s3, "config/config.json", theirs)

    with pytest.raises(InvalidRequest, match="config/config.json changed while this upload ran"):
        upload(store, settings, UploadRequest("router_config", payload=router_config))

    assert json.loads(s3.get_object(Bucket=BUCKET, Key="config/config.json")["Body"].read()) == theirs


def test_a_run_request_created_by_someone_else_meanwhile_is_not_overwritten(s3, store, settings):
    write_in_between(
        s3,
        "config/runs/EDV-2026-11-28.json",
        {"bundle": "EDV", "run_date": "2026-11-28", "requested_by": "them"},
    )

    with pytest.raises(InvalidRequest, match="changed while this upload ran"):
        upload(store, settings, UploadRequest("datamart_run", payload=RUN_FOR_DATE))
