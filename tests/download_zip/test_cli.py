"""`… zip SOURCE_PREFIX DESTINATION`: the same run from a shell, with exit codes for scripts."""

import json

import pytest
from download_zip.cli import main

from .conftest import keys, members, put, read_zip


def test_the_command_zips_the_prefix_and_prints_the_result(s3, capsys):
    put(s3, {"data/a.csv": b"a", "data/b.zip": b"b"})

    code = main(["s3://zip-source/data/", "s3://zip-destination/out/data.zip", "--ignore", "*.zip"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["files"] == 1
    assert members(read_zip(s3)) == {"a.csv": b"a"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["zip-source/data/", "s3://zip-destination/o.zip"], "SOURCE_PREFIX must be an s3:// URI"),
        (["s3://zip-source/data/", "s3://zip-destination/"], "destination_key must not be empty"),
        (["s3://Bad_Bucket/data/", "s3://zip-destination/o.zip"], "source_bucket is not a valid S3 bucket"),
        (["s3://zip-source/", "s3://zip-destination/o.zip", "--part-size-mib", "1"], "PART_SIZE_MIB"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(s3, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert keys(s3) == []


def test_a_missing_argument_exits_2_with_the_usage(capsys):
    assert main(["s3://zip-source/data/"]) == 2
    assert "usage: zip" in capsys.readouterr().err


def test_a_missing_bucket_exits_2(s3, capsys):
    assert main(["s3://no-such-source/data/", "s3://zip-destination/o.zip"]) == 2
    assert "source_bucket 'no-such-source' does not exist" in capsys.readouterr().err


def test_an_aws_failure_exits_1(s3, capsys):
    put(s3, {"data/a.csv": b"a"})
    s3.put_bucket_policy(
        Bucket="zip-destination",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::zip-destination/*",
                    }
                ],
            }
        ),
    )

    assert main(["s3://zip-source/data/", "s3://zip-destination/o.zip"]) == 3
    assert "error: AWS:" in capsys.readouterr().err
