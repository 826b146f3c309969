"""One file of bad content among good ones: the job quarantines it, the manifest completes with the other
files' rows, one alert names it, and each file's item holds its final status and rows."""

import json

import pytest

from local_aws import sample_data

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

DAY = "2024-01-05"


@pytest.fixture(scope="module")
def quarantine(scenario, dev_deployment):
    read_alerts = scenario.alerts_queue("integration-quarantine-alerts-observer")
    good = sample_data.uniform_files(DAY, count=2, lines_per_file=30, seed=5)
    bad = sample_data.SampleFile(
        f"{DAY}/events-{DAY}-garbled.ndjson", ((sample_data.MALFORMED_LINE + "\n") * 3).encode(), 0, 3, DAY
    )
    uris = scenario.upload([*good, bad])
    scenario.run()
    return {
        "good": uris[:2],
        "bad": uris[2],
        "items": scenario.items(DAY),
        "alerts": read_alerts(),
        "rows": dev_deployment.parquet_rows_by_date().get(DAY),
    }


def test_the_manifest_completes_with_the_good_files_rows(quarantine):
    (manifest,) = quarantine["items"]["manifests"].values()

    assert manifest.status == "completed"
    assert quarantine["rows"] == 60
    assert (manifest.records_written, manifest.records_rejected, manifest.files_quarantined) == (
        60,
        3,
        1,
    )


def test_the_bad_file_is_quarantined_with_its_reason_and_counts(quarantine):
    item = quarantine["items"]["files"][quarantine["bad"]]

    assert item.status == "quarantined"
    assert item.quarantine_reason.startswith("bad_content: 3 of 3 lines rejected")
    assert (item.records_read, item.records_written, item.records_rejected) == (3, 0, 3)


def test_each_good_file_ends_completed_with_its_rows(quarantine):
    files = quarantine["items"]["files"]

    assert [(files[uri].status, files[uri].records_written) for uri in quarantine["good"]] == [
        ("completed", 30),
        ("completed", 30),
    ]


def test_one_alert_names_the_quarantined_file(quarantine):
    (alert,) = quarantine["alerts"]

    assert alert["Subject"] == "NDJSON intake: files quarantined"
    (named,) = json.loads(alert["Message"])["quarantined_files"]
    assert named.startswith(f"{quarantine['bad']}: bad_content: ")
