"""The ``datamart-load`` command and the ledger it reads with ``--status``."""

from __future__ import annotations

import json

from datamart_load.local import main

from .conftest import load_step


def test_the_command_prints_one_json_summary_line_and_exits_zero(dsn, files, capsys):
    plan = files.plan([load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["a", "b"]}))])
    assert main(["--plan", plan, "--dsn", dsn]) == 0
    [line] = capsys.readouterr().out.splitlines()
    summary = json.loads(line)
    assert (summary["run_id"], summary["status"], summary["steps"][0]["inserted"]) == (
        "run-1",
        "succeeded",
        2,
    )


def test_the_command_exits_non_zero_with_the_failure_on_stderr(dsn, files, capsys):
    plan = files.plan([load_step(str(files.root / "missing.parquet"))])
    assert main(["--plan", plan, "--dsn", dsn]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("datamart-load: step load: source ") and "does not exist" in captured.err


def test_an_unreachable_database_is_a_clear_error(files, capsys):
    plan = files.plan([load_step(files.parquet("a.parquet", {"id": [1]}))])
    assert main(["--plan", plan, "--dsn", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"]) == 1
    assert capsys.readouterr().err.startswith("datamart-load: connection failed")


def test_a_missing_plan_file_is_a_clear_error(dsn, files, capsys):
    assert main(["--plan", str(files.root / "nope.json"), "--dsn", dsn]) == 1
    assert "nope.json" in capsys.readouterr().err


def test_status_prints_the_run_and_its_steps_counts_from_the_ledger(dsn, files, capsys):
    source = files.parquet("a.parquet", {"id": [1, 1, None], "name": ["a", "b", "c"]})
    plan = files.plan([load_step(source, max_reject_ratio=0.5)], "run-9")
    main(["--plan", plan, "--dsn", dsn])
    capsys.readouterr()
    assert main(["--status", "run-9", "--dsn", dsn]) == 0
    status = json.loads(capsys.readouterr().out)
    [step] = status["steps"]
    assert (status["run_id"], status["status"], step["status"], step["target"]) == (
        "run-9",
        "succeeded",
        "applied",
        "dm.customer",
    )
    counts = {
        name: step[name]
        for name in ("source_rows", "inserted", "updated", "unchanged", "duplicates", "rejected")
    }
    assert counts == {
        "source_rows": 3,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "rejected": 1,
    }
    assert step["started_at"] <= step["finished_at"]


def test_status_of_an_unknown_run_exits_non_zero(dsn, capsys):
    assert main(["--status", "nope", "--dsn", dsn]) == 1
    assert "no run 'nope'" in capsys.readouterr().err


def test_a_failed_run_is_recorded_failed_with_the_error(dsn, db, files, capsys):
    plan = files.plan([load_step(str(files.root / "missing.parquet"))])
    main(["--plan", plan, "--dsn", dsn])
    [(status, error)] = db.execute("SELECT status, error FROM datamart_ledger.runs").fetchall()
    assert status == "failed" and "does not exist" in error
