"""platform-ops router: the decisions by status, one file's history, and replays of held and failed files."""

import pytest
from file_router import handler

from .conftest import router_fixtures

BUCKET = router_fixtures.BUCKET


@pytest.fixture
def router_cli(account, router_environment, capsys):
    """Runs `platform-ops router ARGS` with the router's settings in the environment: (exit code, output)."""
    from platform_ops.cli import main

    def run(*arguments: str) -> tuple[int, str]:
        capsys.readouterr()  # what the router printed (its JSON logs) before the command ran
        code = main(["router", *arguments])
        printed = capsys.readouterr()
        return code, printed.out + printed.err

    return run


def test_status_counts_decisions_and_lists_what_to_replay(account, invoke, router_cli, monkeypatch):
    invoke(account.land("data/in/customers.csv"))
    invoke(account.land("data/in/mystery.csv"))
    invoke(account.land("data/in/products.csv"))
    monkeypatch.setenv("STEP_FUNCTION_ARN", "")
    handler._router.cache_clear()
    invoke(account.land("data/in/orders.csv"))

    code, output = router_cli("status")

    assert code == 0
    counts = dict(line.split() for line in output.splitlines()[1:8])
    assert counts == {
        "not_configured": "1",
        "inactive": "1",
        "held": "1",
        "triggered": "1",
        "archived": "0",
        "failed": "0",
        "replayed": "0",
    }
    assert f"held    s3://{BUCKET}/data/in/orders.csv" in output


def test_file_prints_every_decision_about_the_key_with_its_execution(account, invoke, router_cli):
    first = invoke(account.land("data/in/customers.csv", b"id\n1\n"))
    second = invoke(account.land("data/in/customers.csv", b"id\n2\n"))

    code, output = router_cli("file", f"s3://{BUCKET}/data/in/customers.csv")

    assert code == 0
    assert output.count(f"s3://{BUCKET}/data/in/customers.csv: triggered") == 2
    assert f"execution: {first['execution']}" in output
    assert f"execution: {second['execution']}" in output
    assert "execution status: RUNNING" in output
    assert "config_etag: " in output


def test_file_of_an_unknown_key_says_so_and_exits_1(account, router_cli):
    assert router_cli("file", f"s3://{BUCKET}/data/in/never.csv") == (
        1,
        f"s3://{BUCKET}/data/in/never.csv: no decision recorded\n",
    )


def test_replay_starts_the_held_decisions_execution_as_the_router_would_have(
    account, invoke, router_cli, router_environment, monkeypatch
):
    monkeypatch.setenv("STEP_FUNCTION_ARN", "")
    held = invoke(account.land("data/in/customers.csv"))
    monkeypatch.setenv("STEP_FUNCTION_ARN", router_environment["STEP_FUNCTION_ARN"])

    code, output = router_cli("replay")

    assert code == 0
    (execution,) = account.executions()
    assert execution["name"] == held["execution"]
    assert account.execution_input(held["execution"])["glue_jobs"][0]["job_id"] == "JOB001"
    assert account.decision("data/in/customers.csv")["status"]["S"] == "triggered"
    assert f"{held['execution']}: started" in output


def test_replay_dry_run_changes_nothing(account, invoke, router_cli, monkeypatch):
    monkeypatch.setenv("STEP_FUNCTION_ARN", "")
    held = invoke(account.land("data/in/customers.csv"))

    code, output = router_cli("replay", "--dry-run")

    assert (code, output.split("  ")[0]) == (0, f"would start {held['execution']}")
    assert account.decision("data/in/customers.csv")["status"]["S"] == "held"


def test_replay_of_held_decisions_while_the_arn_is_blank_asks_for_the_state_machine(
    account, invoke, router_cli, monkeypatch
):
    monkeypatch.setenv("STEP_FUNCTION_ARN", "")
    invoke(account.land("data/in/customers.csv"))

    code, output = router_cli("replay")

    assert code == 2
    assert "STEP_FUNCTION_ARN is blank (the rollback blanks it): pass --state-machine-arn" in output


def test_replay_puts_a_failed_file_back_under_the_input_prefix(account, invoke, router_cli):
    routed = invoke(account.land("data/in/orders.csv"))
    invoke(account.settle_request(routed["execution"], {"JOB002": ("DatamartLoadFailed", "bad rows")}))

    code, output = router_cli("replay", "--file", f"s3://{BUCKET}/data/in/orders.csv")

    assert code == 0
    assert account.keys("data/") == ["data/in/orders.csv"]
    assert account.decision("data/in/orders.csv")["status"]["S"] == "replayed"
    assert "back under the input prefix" in output


def test_replayed_file_arrives_as_a_new_object_and_is_routed_again(account, invoke, router_cli):
    routed = invoke(account.land("data/in/orders.csv"))
    invoke(account.settle_request(routed["execution"], {"JOB002": ("DatamartLoadFailed", "bad rows")}))
    router_cli("replay")
    head = account.s3.head_object(Bucket=BUCKET, Key="data/in/orders.csv")

    again = invoke(
        router_fixtures.object_created("data/in/orders.csv", head["ContentLength"], head["ETag"].strip('"'))
    )

    assert again["status"] == "triggered"
    assert again["execution"] != routed["execution"]
