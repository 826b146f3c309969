"""platform-ops errors say what to check: options anywhere on the line, the region from the environment,
the missing table, function or bucket named, and exit codes that tell bad arguments from AWS failures."""

import pytest
from platform_ops.cli import main
from platform_ops.connection import EXIT_AWS, EXIT_USAGE


def test_global_and_group_options_are_taken_before_or_after_the_command(cli, pipeline, stack, monkeypatch):
    pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    monkeypatch.delenv("TRACKING_TABLE")

    before = cli("--table", stack.table, "status", "--date", stack.yesterday)
    after = cli("status", "--date", stack.yesterday, "--table", stack.table, "--region", "us-east-1")
    at_the_top = main(
        ["--region", "us-east-1", "intake", "status", "--table", stack.table], now=stack.clock.now
    )

    assert before == after
    assert before[0] == at_the_top == 0
    assert f"table {stack.table}" in before[1]


def test_a_missing_table_is_named_with_the_region_and_endpoint(cli):
    code, output = cli("status", TRACKING_TABLE="no-such-table")

    assert code == EXIT_AWS
    assert output == (
        "platform-ops: table no-such-table not found in us-east-1 (endpoint AWS): "
        "check --function-name/--table and the region\n"
    )


def test_the_region_comes_from_aws_region_before_aws_default_region(cli, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")

    code, output = cli("status")

    assert code == EXIT_AWS
    assert "not found in eu-west-1 (endpoint AWS)" in output


def test_aws_default_region_serves_when_aws_region_is_unset(cli, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    _, output = cli("status")

    assert "not found in eu-west-1" in output


def test_without_a_region_the_error_says_how_to_give_one(cli, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    code, output = cli("status")

    assert code == EXIT_USAGE
    assert output == "platform-ops: no AWS region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION\n"


def test_a_missing_function_is_named(cli):
    code, output = cli("--function-name", "no-such-function", "status")

    assert code == EXIT_AWS
    assert output == (
        "platform-ops: function no-such-function not found in us-east-1 (endpoint AWS): "
        "check --function-name or MANIFEST_BUILDER_FUNCTION and the region\n"
    )


def test_a_missing_manifest_bucket_is_named(cli, pipeline, stack):
    pipeline.arrive(f"in/a-{stack.today}.ndjson")

    code, output = cli("flush", stack.today, MANIFEST_BUCKET="no-such-bucket")

    assert code == EXIT_AWS
    assert output.endswith(
        "platform-ops: bucket no-such-bucket not found in us-east-1 (endpoint AWS): "
        "check MANIFEST_BUCKET (from the function or the environment) and the region\n"
    )


def test_the_endpoint_flag_is_used_and_named(cli):
    code, output = cli("status", "--endpoint-url", "http://127.0.0.1:9")

    assert code == EXIT_AWS
    assert output.startswith('platform-ops: Could not connect to the endpoint URL: "http://127.0.0.1:9/"')


def test_a_bad_argument_exits_with_the_usage_code_naming_it(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["intake", "status", "--date", "yesterday"])

    assert exit_info.value.code == EXIT_USAGE
    assert "argument --date: not a YYYY-MM-DD date: 'yesterday'" in capsys.readouterr().err
