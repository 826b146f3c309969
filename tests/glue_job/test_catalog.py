"""The Parquet output in the Glue Data Catalog (moto's catalog API): after a run, the table has the run's
columns and the manifest's partition points at its output."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from ndjson_parquet.catalog import register
from ndjson_parquet.job import JobStats

LOCATION = "s3://out/parquet/date_prefix=2024-01-15/manifest_id=m-1"


def stats(fields: list[str], written: int = 2, manifest_id: str = "m-1") -> JobStats:
    return JobStats(
        manifest_id, "2024-01-15", 1, 10, written, written, 0, 1, LOCATION, "s3://out/r", fields=fields
    )


@pytest.fixture
def glue():
    """The database and table as Terraform creates them."""
    with mock_aws():
        client = boto3.client("glue", region_name="us-east-1")
        client.create_database(DatabaseInput={"Name": "intake"})
        client.create_table(
            DatabaseName="intake",
            TableInput={
                "Name": "parquet",
                "TableType": "EXTERNAL_TABLE",
                "PartitionKeys": [
                    {"Name": "date_prefix", "Type": "string"},
                    {"Name": "manifest_id", "Type": "string"},
                ],
                "StorageDescriptor": {
                    "Location": "s3://out/parquet/",
                    "Columns": [
                        {"Name": "_processing_timestamp", "Type": "timestamp"},
                        {"Name": "_source_file", "Type": "string"},
                    ],
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    },
                },
            },
        )
        yield client


def columns(glue) -> list[tuple[str, str]]:
    table = glue.get_table(DatabaseName="intake", Name="parquet")["Table"]
    return [(column["Name"], column["Type"]) for column in table["StorageDescriptor"]["Columns"]]


def test_a_runs_fields_become_string_columns_of_the_table(glue):
    register(glue, "intake", "parquet", stats(["id", "user"]), LOCATION)

    assert columns(glue)[2:] == [("id", "string"), ("user", "string")]


def test_a_later_runs_new_field_is_added_and_none_is_removed(glue):
    register(glue, "intake", "parquet", stats(["id", "user"]), LOCATION)
    register(glue, "intake", "parquet", stats(["id", "amount"], manifest_id="m-2"), LOCATION)

    assert [name for name, _ in columns(glue)[2:]] == ["id", "user", "amount"]


def test_fields_differing_only_in_case_are_columns_under_the_jobs_names(glue):
    register(glue, "intake", "parquet", stats(["id", "Id"]), LOCATION)

    assert [name for name, _ in columns(glue)[2:]] == ["id__2", "Id"]


def test_the_manifests_partition_points_at_its_output(glue):
    register(glue, "intake", "parquet", stats(["id"]), LOCATION)

    (partition,) = glue.get_partitions(DatabaseName="intake", TableName="parquet")["Partitions"]
    assert partition["Values"] == ["2024-01-15", "m-1"]
    assert partition["StorageDescriptor"]["Location"] == LOCATION


def test_a_replay_keeps_one_partition_with_the_tables_columns(glue):
    register(glue, "intake", "parquet", stats(["id"]), LOCATION)
    register(glue, "intake", "parquet", stats(["id", "late"]), LOCATION)

    (partition,) = glue.get_partitions(DatabaseName="intake", TableName="parquet")["Partitions"]
    assert [column["Name"] for column in partition["StorageDescriptor"]["Columns"]][-1] == "late"


def test_a_run_without_rows_removes_its_partition(glue):
    register(glue, "intake", "parquet", stats(["id"]), LOCATION)
    register(glue, "intake", "parquet", stats(["id"], written=0), LOCATION)

    assert glue.get_partitions(DatabaseName="intake", TableName="parquet")["Partitions"] == []


def test_without_a_catalog_table_nothing_is_registered(glue):
    register(glue, "", "", stats(["id"]), LOCATION)

    assert columns(glue) == [("_processing_timestamp", "timestamp"), ("_source_file", "string")]
