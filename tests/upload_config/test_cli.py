"""`… config upload|validate FILE --kind KIND`: exit 0 accepted, 2 refused (each violation printed), 1 AWS."""

import json

import pytest
from upload_config.cli import main

from .conftest import BUCKET, ROUTER_CONFIG, keys


@pytest.fixture
def config_file(tmp_path):
    def write(document, name="config.json"):
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return str(path)

    return write


def test_upload_writes_the_file_and_prints_the_result(s3, capsys, config_file):
    code = main(["upload", config_file(ROUTER_CONFIG), "--kind", "router_config"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["destination"] == f"s3://{BUCKET}/config/config.json"
    assert keys(s3) == ["config/config.json"]


def test_upload_takes_the_bucket_from_the_option(s3, capsys, config_file, monkeypatch):
    monkeypatch.delenv("CONFIG_BUCKET")

    assert main(["upload", config_file(ROUTER_CONFIG), "--kind", "router_config", "--bucket", BUCKET]) == 0


def test_an_invalid_file_exits_2_printing_every_violation_and_writes_nothing(s3, capsys, config_file):
    path = config_file([dict(ROUTER_CONFIG[0], is_active="no"), dict(ROUTER_CONFIG[0], upsert_keys=[])])

    code = main(["upload", path, "--kind", "router_config"])

    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}: $[0].is_active: 'no' is not of type 'boolean'",
        f"{path}: $[1].job_id: duplicate job_id 'JOB001', first at $[0]",
        f"{path}: $[1].upsert_keys: [] should be non-empty",
    ]
    assert keys(s3) == []


def test_a_dry_run_prints_the_result_and_writes_nothing(s3, capsys, config_file):
    code = main(["upload", config_file(ROUTER_CONFIG), "--kind", "router_config", "--dry-run"])

    assert (code, json.loads(capsys.readouterr().out)["dry_run"], keys(s3)) == (0, True, [])


def test_an_invalid_dry_run_exits_2(s3, capsys, config_file):
    path = config_file({"bundle": "EDV"})

    assert main(["upload", path, "--kind", "datamart_run", "--dry-run"]) == 2
    assert f"{path}: $: a run request names either run_date or sources" in capsys.readouterr().err


def test_upload_checks_job_names_against_the_given_deployed_jobs(s3, capsys, config_file):
    code = main(
        ["upload", config_file(ROUTER_CONFIG), "--kind", "router_config", "--deployed-jobs", "orders_load"]
    )

    assert code == 2
    assert "'customers_load' is not a deployed load job (deployed: orders_load)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["upload", "FILE", "--kind", "yaml"], "invalid choice: 'yaml'"),
        (["upload", "FILE"], "the following arguments are required: --kind"),
        (["publish", "FILE", "--kind", "router_config"], "invalid choice: 'publish'"),
    ],
)
def test_bad_arguments_exit_2_with_the_usage(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_file_that_is_not_json_exits_2(capsys, config_file):
    path = config_file("[{oops")

    assert main(["validate", path, "--kind", "router_config"]) == 2
    assert f"cannot read {path} as JSON" in capsys.readouterr().err


def test_upload_without_a_bucket_exits_2_naming_the_variable(capsys, config_file, monkeypatch):
    monkeypatch.delenv("CONFIG_BUCKET", raising=False)

    assert main(["upload", config_file(ROUTER_CONFIG), "--kind", "router_config"]) == 2
    assert "CONFIG_BUCKET is required" in capsys.readouterr().err


def test_an_aws_failure_exits_1(s3, capsys, config_file):
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )

    assert main(["upload", config_file(ROUTER_CONFIG), "--kind", "router_config"]) == 3
    assert "error: AWS:" in capsys.readouterr().err


def test_validate_needs_no_aws(capsys, config_file, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    assert main(["validate", config_file(ROUTER_CONFIG), "--kind", "router_config"]) == 0
    assert "valid router_config" in capsys.readouterr().out
