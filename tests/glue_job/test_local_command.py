"""The local command and the S3 staging the local emulator's Glue runner relies on."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from ndjson_parquet.local import run_glue_arguments

pytestmark = pytest.mark.spark


def test_the_command_converts_a_manifest_of_local_files_into_a_local_folder(inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1"}\n{"id": "2"}\n')
    output = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ndjson_parquet.local",
            "--manifest",
            inputs.manifest().as_uri(),
            "--output",
            str(output),
            "--master",
            "local[1]",
            "--driver-memory",
            "512m",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    assert (stats["records_written"], stats["output_files"]) == (2, 1)
    table = pq.read_table(output / "date_prefix=2024-01-15" / "manifest_id=m-0001")
    assert sorted(table.column("id").to_pylist()) == ["1", "2"]


def run_command(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ndjson_parquet.local",
            *arguments,
            "--master",
            "local[1]",
            "--driver-memory",
            "512m",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_converts_files_given_without_a_manifest(inputs, tmp_path):
    first = inputs.file("a.ndjson", '{"id": "1"}\n')
    second = inputs.file("b?.ndjson", '{"id": "2"}\n')
    output = tmp_path / "out"

    result = run_command("--input", str(first), str(second), "--date", "2024-02-01", "--output", str(output))

    assert result.returncode == 0, result.stderr
    table = pq.read_table(output / "date_prefix=2024-02-01" / "manifest_id=local-2024-02-01")
    assert sorted(table.column("id").to_pylist()) == ["1", "2"]


def test_a_quarantined_file_ends_the_command_with_one_line_and_the_stats(inputs, tmp_path):
    good = inputs.file("good.ndjson", '{"id": "1"}\n')
    bad = inputs.file("bad.ndjson", '{"id": "1"}\nnot json\n')

    result = run_command("--input", str(good), str(bad), "--output", str(tmp_path / "out"))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: {bad} quarantined: bad_content: 1 of 2 lines rejected")
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    assert (stats["records_written"], stats["records_rejected"], stats["files_quarantined"]) == (1, 1, 1)


def parquet_keys(s3, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket="output", Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", []) if item["Key"].endswith(".parquet")]


def test_glue_arguments_on_s3_run_locally_through_staging(spark, s3):
    s3.put_object(Bucket="input", Key="2024-01-15/a b.ndjson", Body=b'{"id": "1"}\n{oops\n{"id": "2"}\n')
    manifest = {
        "fileLocations": [{"URIPrefixes": ["s3://input/2024-01-15/a b.ndjson"]}],
        "manifest_id": "m-s3",
        "date_prefix": "2024-01-15",
    }
    s3.put_object(
        Bucket="manifests", Key="manifests/2024-01-15/m-s3.json", Body=json.dumps(manifest).encode()
    )
    folder = "date_prefix=2024-01-15/manifest_id=m-s3/"
    s3.put_object(Bucket="output", Key=f"parquet/{folder}stale.parquet", Body=b"from an earlier run")

    stats = run_glue_arguments(
        {
            "--JOB_NAME": "job",
            "--MANIFEST_PATH": "manifests/2024-01-15/m-s3.json",
            "--MANIFEST_BUCKET": "manifests",
            "--OUTPUT_BUCKET": "output",
            "--MAX_REJECT_RATIO": "0.5",
        },
        spark,
    )

    assert (stats.records_written, stats.records_rejected) == (2, 1)
    [key] = parquet_keys(s3, f"parquet/{folder}")
    assert "stale" not in key
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket="output", Key=key)["Body"].read()))
    assert set(table.column("_source_file").to_pylist()) == {"s3://input/2024-01-15/a%20b.ndjson"}
    [rejects_key] = [
        item["Key"] for item in s3.list_objects_v2(Bucket="output", Prefix=f"rejects/{folder}")["Contents"]
    ]
    reject = json.loads(s3.get_object(Bucket="output", Key=rejects_key)["Body"].read())
    assert (reject["raw_line"], reject["source_file"]) == ("{oops", "s3://input/2024-01-15/a%20b.ndjson")
