"""`platform-ops intake file KEY`: one file's status, through its manifest, and its history."""


def test_a_manifested_file_shows_its_manifests_status_and_history(cli, stack, pipeline):
    (uri,) = pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    manifest = pipeline.only_manifest(stack.yesterday)
    pipeline.set_manifest(
        stack.yesterday,
        manifest["manifest_id"],
        status="completed",
        started_at="2024-03-10T12:00:01Z",
        completed_at="2024-03-10T12:03:00Z",
        glue_job_run_id="jr_1",
    )

    code, output = cli("file", uri)

    assert code == 0
    assert f"{uri}: completed" in output
    assert f"manifest_id: {manifest['manifest_id']}" in output
    history = output.split("history:")[1].splitlines()
    assert [line.split("  ", 2)[2].split(" ")[0] for line in history if line.strip()] == [
        "tracked",
        "in",
        "execution",
        "processing",
        "completed",
    ]


def test_a_quarantined_file_shows_its_reason(cli, stack, pipeline):
    (uri,) = pipeline.arrive(f"in/a-{stack.today}.csv")

    code, output = cli("file", uri)

    assert code == 0
    assert f"{uri}: quarantined" in output
    assert "quarantine_reason: invalid_extension" in output


def test_a_file_without_a_date_in_its_key_is_found_under_its_arrival_date(cli, stack, pipeline):
    (uri,) = pipeline.arrive("in/no-date.ndjson")

    code, output = cli("file", uri)

    assert code == 0
    assert f"{uri}: pending" in output
    assert f"date_prefix: {stack.today}" in output


def test_an_untracked_file_exits_1(cli, stack):
    code, output = cli("file", f"s3://{stack.input_bucket}/in/never-{stack.today}.ndjson")

    assert code == 1
    assert "not tracked" in output


def test_a_key_that_is_not_an_s3_uri_is_refused_with_the_expected_form(cli):
    code, output = cli("file", "bucket/key.ndjson")

    assert code == 2
    assert "s3://bucket/key" in output


def test_a_file_loaded_into_the_datamart_shows_its_run_and_rows(cli, stack, pipeline):
    from datamart_workflow.runs import RunStore

    (uri,) = pipeline.arrive(f"in/a-{stack.yesterday}.ndjson")
    manifest_id = pipeline.only_manifest(stack.yesterday)["manifest_id"]
    stack.clients.dynamodb.create_table(
        TableName="datamart-runs",
        AttributeDefinitions=[{"AttributeName": "run_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "run_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    runs = RunStore(stack.clients.dynamodb, "datamart-runs")
    runs.record_planned(
        {"run_id": "events-1", "bundle": "events", "bundle_version": "v1", "manifest_ids": [manifest_id]}
    )
    load = {"step": "stg-events", "table": "stg.events", "source_rows": 40, "inserted": 39, "updated": 0}
    runs.mark_succeeded("events-1", {"loads": [{**load, "unchanged": 0, "duplicates": 0, "rejected": 1}]})

    code, output = cli("file", uri, DATAMART_RUNS_TABLE="datamart-runs")

    assert code == 0
    assert "datamart run events-1: succeeded (bundle events v1)" in output
    assert "stg.events: 40 source_rows, 39 inserted, 0 updated, 1 rejected" in output
