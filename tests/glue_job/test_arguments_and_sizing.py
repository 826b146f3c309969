"""Glue job arguments -> options, and the file-sizing arithmetic."""

from __future__ import annotations

import pytest
from ndjson_parquet.job import options_from_arguments
from ndjson_parquet.sizing import MIB, split_bytes

REQUIRED = {
    "JOB_NAME": "j",
    "MANIFEST_PATH": "s3://m/manifests/x.json",
    "MANIFEST_BUCKET": "m",
    "OUTPUT_BUCKET": "o",
}


def test_defaults_apply_when_only_required_arguments_are_given():
    options = options_from_arguments(REQUIRED)
    assert options.manifest_path == "s3://m/manifests/x.json"
    assert (options.output_root, options.rejects_root) == ("s3://o/parquet", "s3://o/rejects")
    assert (options.compression, options.max_reject_ratio, options.target_file_size_mb) == (
        "snappy",
        0.01,
        128,
    )


def test_optional_arguments_override_the_defaults():
    options = options_from_arguments(
        {
            **REQUIRED,
            "OUTPUT_PREFIX": "curated/events/",
            "REJECTS_PREFIX": "bad/",
            "COMPRESSION_TYPE": "ZSTD",
            "MAX_REJECT_RATIO": "0.2",
            "TARGET_FILE_SIZE_MB": "256",
            "MAX_FIELDS": "5000",
        }
    )
    assert (options.output_root, options.rejects_root) == ("s3://o/curated/events", "s3://o/bad")
    assert (options.compression, options.max_reject_ratio, options.target_file_size_mb) == ("zstd", 0.2, 256)
    assert options.max_fields == 5000


def test_a_bare_manifest_key_is_read_from_the_manifest_bucket():
    assert options_from_arguments({**REQUIRED, "MANIFEST_PATH": "manifests/x.json"}).manifest_path == (
        "s3://m/manifests/x.json"
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"OUTPUT_BUCKET": ""}, "missing job argument"),
        ({"MAX_REJECT_RATIO": "lots"}, "--MAX_REJECT_RATIO must be a float"),
        ({"MAX_REJECT_RATIO": "1.5"}, "between 0 and 1"),
        ({"COMPRESSION_TYPE": "brotli"}, "is not one of"),
        ({"TARGET_FILE_SIZE_MB": "0"}, "must be positive"),
        ({"NDJSON_BYTES_PER_PARQUET_BYTE": "0.5"}, "at least 1"),
        ({"MAX_FIELDS": "0"}, "MAX_FIELDS 0 must be at least 1"),
        ({"MAX_FIELDS": "many"}, "--MAX_FIELDS must be a int"),
    ],
)
def test_a_wrong_argument_is_a_clear_error(override, message):
    with pytest.raises(ValueError, match=message):
        options_from_arguments({**REQUIRED, **override})


def test_each_task_reads_the_input_bytes_that_compress_to_the_target_file_size():
    assert split_bytes(128, 4) == 512 * MIB
    assert split_bytes(0.5, 3) == int(1.5 * MIB)
