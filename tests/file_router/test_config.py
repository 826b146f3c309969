"""A broken config never misroutes; the config is cached and revalidated with a conditional GET."""

import json

import pytest
from file_router import handler
from file_router.config import ConfigUnavailable

from .conftest import BUCKET, CONFIG


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(invoke, monkeypatch):
    """The router of the next invocations, built now, with a clock the test moves and its S3 reads counted."""
    clock = Clock()
    router = handler._router()
    monkeypatch.setattr(router.configs, "_clock", clock)
    clock.reads = []

    def count_config_read(params, **_):
        if params["Key"] == "config/config.json":
            clock.reads.append(params.get("IfNoneMatch"))

    router.s3.meta.events.register("provide-client-params.s3.GetObject", count_config_read)
    return clock


def test_a_missing_config_at_cold_start_fails_the_invocation_and_moves_nothing(account, invoke):
    account.s3.delete_object(Bucket=BUCKET, Key="config/config.json")
    event = account.land("data/in/mystery.csv")

    with pytest.raises(ConfigUnavailable, match="does not exist"):
        invoke(event)

    assert account.keys("data/") == ["data/in/mystery.csv"]


def test_an_invalid_config_at_cold_start_fails_the_invocation_naming_each_violation(account, invoke):
    account.put_config([dict(CONFIG[0], is_active="yes"), dict(CONFIG[1], job_id="JOB001")])
    event = account.land("data/in/mystery.csv")

    with pytest.raises(ConfigUnavailable) as refused:
        invoke(event)

    assert "$[0].is_active: 'yes' is not of type 'boolean'" in str(refused.value)
    assert "$[1].job_id: duplicate job_id 'JOB001'" in str(refused.value)
    assert account.keys("data/") == ["data/in/mystery.csv"]


def test_a_job_name_that_is_not_a_deployed_load_job_makes_the_config_invalid(account, invoke):
    account.put_config([dict(CONFIG[0], job_name="customers_etl")])

    with pytest.raises(ConfigUnavailable, match="'customers_etl' is not a deployed load job"):
        invoke(account.land("data/in/customers.csv"))


def test_a_config_that_is_not_json_fails_the_invocation(account, invoke):
    account.put_config("[{")

    with pytest.raises(ConfigUnavailable, match="not JSON"):
        invoke(account.land("data/in/customers.csv"))


def test_the_config_is_read_once_and_not_again_within_the_refresh_period(account, invoke, clock):
    for number in range(5):
        invoke(account.land(f"data/in/{number}/customers.csv"))
        clock.now += 10

    assert clock.reads == [None]


def test_after_the_refresh_period_one_conditional_get_revalidates_it(account, invoke, clock):
    etag = account.s3.head_object(Bucket=BUCKET, Key="config/config.json")["ETag"].strip('"')
    invoke(account.land("data/in/1/customers.csv"))
    clock.now += 60

    invoke(account.land("data/in/2/customers.csv"))
    invoke(account.land("data/in/3/customers.csv"))

    assert clock.reads == [None, etag]


def test_a_valid_update_is_used_after_the_refresh_period(account, invoke, clock):
    invoke(account.land("data/in/1/products.csv"))
    account.put_config([dict(job, is_active=True) for job in CONFIG])
    clock.now += 60

    assert invoke(account.land("data/in/2/products.csv"))["status"] == "triggered"


def test_an_invalid_update_keeps_the_last_good_config_and_alerts_once(account, invoke, clock):
    good = invoke(account.land("data/in/1/customers.csv"))
    account.notices()
    account.put_config([dict(CONFIG[0], upsert_keys=[])])

    outcomes = []
    for number in range(2, 5):
        clock.now += 60
        outcomes.append(invoke(account.land(f"data/in/{number}/customers.csv"))["status"])

    assert good["status"] == "triggered"
    assert outcomes == ["triggered"] * 3
    (notice,) = account.notices()
    assert notice["subject"] == "Router config update refused"
    assert notice["violations"] == ["$[0].upsert_keys: [] should be non-empty"]


def test_a_deleted_config_keeps_the_last_good_one_and_alerts_once(account, invoke, clock):
    invoke(account.land("data/in/1/customers.csv"))
    account.notices()
    account.s3.delete_object(Bucket=BUCKET, Key="config/config.json")

    for number in range(2, 4):
        clock.now += 60
        assert invoke(account.land(f"data/in/{number}/customers.csv"))["status"] == "triggered"

    assert [notice["violations"] for notice in account.notices()] == [["the config was deleted"]]


def test_every_decision_records_the_config_version_it_used(account, invoke, clock):
    first_etag = account.s3.head_object(Bucket=BUCKET, Key="config/config.json")["ETag"].strip('"')
    invoke(account.land("data/in/1/customers.csv"))
    second_etag = account.put_config([*CONFIG, dict(CONFIG[0], job_id="JOB010", source_file_name="x.csv")])
    clock.now += 60
    invoke(account.land("data/in/2/mystery.csv"))

    assert account.decision("data/in/1/customers.csv")["config_etag"]["S"] == first_etag
    assert account.decision("data/in/2/mystery.csv")["config_etag"]["S"] == second_etag
    assert first_etag != second_etag


def test_config_bucket_and_key_can_be_set_apart_from_the_landing_bucket(account, invoke, monkeypatch):
    account.s3.create_bucket(Bucket="platform-config")
    account.s3.put_object(
        Bucket="platform-config", Key="router/jobs.json", Body=json.dumps([dict(CONFIG[2], is_active=True)])
    )
    account.s3.delete_object(Bucket=BUCKET, Key="config/config.json")
    monkeypatch.setenv("CONFIG_BUCKET", "platform-config")
    monkeypatch.setenv("CONFIG_KEY", "router/jobs.json")
    handler._router.cache_clear()

    assert invoke(account.land("data/in/products.csv"))["status"] == "triggered"


def test_a_template_that_does_not_compile_makes_the_config_invalid(account, invoke):
    account.put_config([dict(CONFIG[3], pattern="sales_{date:%Y%Q}.csv")])

    with pytest.raises(ConfigUnavailable, match=r"\$\[0\]\.pattern: template .*%Q is not one of"):
        invoke(account.land("data/in/sales_20261128.csv"))
