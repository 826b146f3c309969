"""Files of a past date go from upload to Parquet: every valid line a row, bad files and lines kept aside."""

import random

import pytest

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

DAY = "2024-01-01"


@pytest.fixture(scope="module")
def happy(scenario):
    files = sample_data.uniform_files(DAY, count=3, lines_per_file=40)
    malformed = sample_data.events_file(random.Random(1), DAY, 90, lines=150, malformed=1)
    wrong_extension = sample_data.SampleFile(f"{DAY}/export-{DAY}.csv", b"a,b\n1,2\n", 0, date_prefix=DAY)
    uris = scenario.upload([*files, malformed, wrong_extension])
    scenario.run()
    return {"files": [*files, malformed], "uris": uris, "items": scenario.items(DAY)}


def test_every_valid_line_becomes_one_parquet_row(happy, dev_deployment):
    expected = sum(f.valid_lines for f in happy["files"])

    assert dev_deployment.parquet_rows_by_date()[DAY] == expected


def test_each_valid_file_ends_completed_through_its_manifest(happy):
    items = happy["items"]
    manifests = items["manifests"]
    valid = [uri for uri in happy["uris"] if uri.endswith(".ndjson")]

    assert {manifests[items["files"][uri].manifest_id].status for uri in valid} == {"completed"}


def test_each_manifest_was_processed_by_a_succeeded_execution(happy, scenario):
    manifest_ids = list(happy["items"]["manifests"])

    executions = scenario.executions_of(manifest_ids)

    assert sorted(e["name"] for e in executions) == sorted(manifest_ids)
    assert {e["status"] for e in executions} == {"SUCCEEDED"}


def test_the_malformed_line_is_kept_as_a_reject_with_its_source_file(happy, dev_deployment):
    rejects = [line for line in dev_deployment.rejected_lines() if DAY in line["source_file"]]

    assert [(r["source_file"], r["raw_line"]) for r in rejects] == [
        (happy["uris"][3], sample_data.MALFORMED_LINE)
    ]


def test_the_file_with_a_wrong_extension_is_quarantined_with_its_reason(happy):
    item = happy["items"]["files"][happy["uris"][4]]

    assert item.status == "quarantined"
    assert item.quarantine_reason.startswith("invalid_extension")


def test_each_manifest_is_a_partition_of_the_catalog_table_at_its_output(happy, dev_deployment):
    outputs = dev_deployment.outputs
    database, table = outputs["catalog_table"].split(".")
    glue = dev_deployment.aws.client("glue")
    partitions = glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]
    mine = {
        tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in partitions if p["Values"][0] == DAY
    }
    output_root = f"s3://{outputs['bucket_names']['output']}/parquet"

    assert mine == {
        (DAY, manifest_id): f"{output_root}/date_prefix={DAY}/manifest_id={manifest_id}"
        for manifest_id in happy["items"]["manifests"]
    }
    columns = glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]["Columns"]
    assert {"event_id", "user", "amount"} <= {column["Name"] for column in columns}
