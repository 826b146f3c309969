"""SQL steps: one transaction per script, errors naming script/statement/line, parameters as settings,
schema scripts once per database with a checksum, transform scripts every run."""

from __future__ import annotations

import pytest
from datamart_load.engine import StepFailed
from datamart_load.scripts import split_statements

from .conftest import rows, run


def sql_step(uri: str, step_id: str = "sql", **fields) -> dict:
    return {"id": step_id, "type": "sql", "script_uri": uri, **fields}


def test_a_script_runs_in_one_transaction_so_a_failing_statement_undoes_the_earlier_ones(dsn, db, files):
    script = files.text("t.sql", "CREATE TABLE dm.t (x int);\nINSERT INTO dm.t VALUES (1);\nSELECT 1/0;\n")
    with pytest.raises(StepFailed):
        run(dsn, [sql_step(script)])
    assert db.execute("SELECT to_regclass('dm.t')").fetchone() == (None,)


def test_a_failure_names_the_script_the_statement_its_line_and_postgresqls_message(dsn, files):
    script = files.text("t.sql", "-- setup\nCREATE TABLE dm.t (x int);\n\nINSERT INTO dm.t\nVALUES ('no');\n")
    with pytest.raises(StepFailed) as failure:
        run(dsn, [sql_step(script)])
    assert str(failure.value) == (
        f"step sql: script {script}: statement at line 5 ('INSERT INTO dm.t') failed: "
        'invalid input syntax for type integer: "no"'
    )


def test_scripts_read_the_run_parameters_as_settings(dsn, db, files):
    db.execute("CREATE TABLE dm.log (run_id text, date_prefix date, step_id text)")
    script = files.text(
        "t.sql",
        "INSERT INTO dm.log VALUES (current_setting('datamart.run_id'), "
        "current_setting('datamart.date_prefix')::date, current_setting('datamart.step_id'));",
    )
    run(dsn, [sql_step(script, "log")], "run-7", parameters={"date_prefix": "2024-01-15"})
    assert [(r, str(d), s) for r, d, s in rows(db, "dm.log")] == [("run-7", "2024-01-15", "log")]


def test_a_schema_script_is_applied_once_per_database_and_recorded_with_its_checksum(dsn, db, files):
    script = files.text("V1__customer.sql", "CREATE TABLE dm.t (x int);")
    run(dsn, [sql_step(script, mode="schema")], "run-1")
    [step] = run(dsn, [sql_step(script, mode="schema")], "run-2")["steps"]
    assert step["script_action"] == "already applied"
    [(name, checksum)] = db.execute(
        "SELECT script_name, checksum FROM datamart_ledger.schema_scripts"
    ).fetchall()
    assert (name, checksum) == ("V1__customer.sql", step["script_checksum"])


def test_a_changed_schema_script_is_an_error_naming_it(dsn, files):
    script = files.text("V1__customer.sql", "CREATE TABLE dm.t (x int);")
    run(dsn, [sql_step(script, mode="schema")], "run-1")
    files.text("V1__customer.sql", "CREATE TABLE dm.t (x bigint);")
    with pytest.raises(StepFailed, match="schema script V1__customer.sql .* changed since it was applied"):
        run(dsn, [sql_step(script, mode="schema")], "run-2")


def test_a_transform_script_runs_on_every_run(dsn, db, files):
    db.execute("CREATE TABLE dm.t (x int)")
    script = files.text("t.sql", "INSERT INTO dm.t VALUES (1);")
    for run_id in ("run-1", "run-2"):
        run(dsn, [sql_step(script)], run_id)
    assert rows(db, "dm.t") == [(1,), (1,)]


def test_statements_split_at_semicolons_outside_strings_comments_and_dollar_quotes():
    script = """SELECT 'a;b', "x;y", E'it\\'s;';
-- a comment; with a semicolon
/* block; /* nested; */ still */ SELECT 2;
CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;
"""
    statements = split_statements(script)
    assert [(s.line, s.text.split()[0]) for s in statements] == [(1, "SELECT"), (3, "SELECT"), (4, "CREATE")]
    assert statements[0].text == """SELECT 'a;b', "x;y", E'it\\'s;'"""
    assert statements[2].text.endswith("LANGUAGE plpgsql")
