"""The router's config rules: every violation, sorted by path, from the schema and from code."""

import pytest
from platform_common.config_validation import violations


def messages(payload, deployed_jobs=None) -> list[str]:
    return [str(v) for v in violations("router_config", payload, deployed_jobs)]


def test_a_valid_config_has_no_violations(router_config):
    assert messages(router_config) == []


def test_every_violation_is_listed_sorted_by_path_not_only_the_first(router_config):
    router_config[1]["is_active"] = "yes"
    router_config[0]["upsert_keys"] = []
    del router_config[1]["target_table"]

    assert messages(router_config) == [
        "$[0].upsert_keys: [] should be non-empty",
        "$[1]: 'target_table' is a required property",
        "$[1].is_active: 'yes' is not of type 'boolean'",
    ]


def test_paths_sort_indices_as_numbers(router_config):
    jobs = [dict(router_config[0], job_id=f"J{n}") for n in range(12)]
    jobs[2]["is_active"] = 1
    jobs[10]["is_active"] = 1

    assert [v.path for v in violations("router_config", jobs)] == ["$[2].is_active", "$[10].is_active"]


def test_job_ids_must_be_unique(router_config):
    router_config.append(dict(router_config[0], job_name="other_load"))

    assert messages(router_config) == ["$[2].job_id: duplicate job_id 'JOB001', first at $[0]"]


@pytest.mark.parametrize(
    ("table", "valid"),
    [
        ("staging.orders", True),
        ("_s1.t_2", True),
        ("orders", False),
        ("a.b.c", False),
        ("staging.1orders", False),
        ("staging.or-ders", False),
        ('staging."Orders"', False),
        ("s." + "t" * 64, False),
    ],
)
def test_target_table_is_schema_dot_table_of_sql_identifiers(router_config, table, valid):
    router_config[0]["target_table"] = table

    assert (messages(router_config) == []) is valid


@pytest.mark.parametrize(
    ("keys", "path"),
    [
        (["id", "id"], "$[0].upsert_keys"),
        (["bad key"], "$[0].upsert_keys[0]"),
        (["id", 1], "$[0].upsert_keys[1]"),
    ],
)
def test_upsert_keys_are_distinct_sql_identifiers(router_config, keys, path):
    router_config[0]["upsert_keys"] = keys

    assert [v.path for v in violations("router_config", router_config)] == [path]


def test_an_unknown_field_is_refused(router_config):
    router_config[0]["is_actve"] = True

    assert messages(router_config) == [
        "$[0]: Additional properties are not allowed ('is_actve' was unexpected)"
    ]


def test_a_config_is_a_non_empty_list_of_jobs():
    assert messages({"jobs": []}) == ["$: {'jobs': []} is not of type 'array'"]
    assert messages([]) == ["$: [] should be non-empty"]


@pytest.mark.parametrize(
    ("match", "pattern"),
    [
        ("exact", None),
        ("glob", "orders_*.csv"),
        ("template", "orders_{yyyymmdd}.csv"),
        ("template", "{name}.parquet"),
        ("template", "sales_{date:%Y%m%d}.csv"),
        ("template", "{region}_sales_{date:%Y-%m-%d}_{hour:%H}.csv"),
    ],
)
def test_a_job_may_choose_how_file_names_match(router_config, match, pattern):
    router_config[0]["match"] = match
    if pattern:
        router_config[0]["pattern"] = pattern

    assert messages(router_config) == []


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        ({"match": "glob"}, "$[0]: 'pattern' is a required property"),
        ({"match": "regex"}, "$[0].match: 'regex' is not one of ['exact', 'glob', 'template']"),
        (
            {"pattern": "orders_*.csv"},
            "$[0]: pattern is only read with match glob or template: remove it or set match",
        ),
        ({"match": "template", "pattern": "orders.csv"}, "$[0].pattern: 'orders.csv' does not match"),
        (
            {"match": "template", "pattern": "orders_{Date}.csv"},
            "$[0].pattern: 'orders_{Date}.csv' does not match",
        ),
        (
            {"match": "template", "pattern": "orders_{date.csv"},
            "$[0].pattern: 'orders_{date.csv' does not match",
        ),
    ],
)
def test_a_bad_matching_rule_is_named(router_config, job, expected):
    router_config[0].update(job)

    (message,) = messages(router_config)
    assert message.startswith(expected)


def test_job_names_must_be_deployed_load_jobs_when_the_list_is_given(router_config):
    router_config[1]["job_name"] = "retired_load"

    assert messages(router_config, deployed_jobs=("customers_load", "orders_load")) == [
        "$[1].job_name: 'retired_load' is not a deployed load job (deployed: customers_load, orders_load)"
    ]
    assert messages(router_config, deployed_jobs=None) == []


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("sales_{date:%Y%q}.csv", "%q is not one of"),
        ("sales_{day}_{day}.csv", "token {day} appears more than once"),
        ("sales_{date:%Y%m%d}_{date:%H}.csv", "token {date} appears more than once"),
    ],
)
def test_a_template_that_does_not_compile_is_refused_with_its_reason(router_config, pattern, reason):
    router_config[0].update(match="template", pattern=pattern)

    (violation,) = violations("router_config", router_config)
    assert violation.path == "$[0].pattern"
    assert reason in violation.message


def test_a_job_without_job_name_is_loaded_by_the_datamart_engine_job(router_config):
    del router_config[0]["job_name"]

    assert messages(router_config, deployed_jobs=("datamart-load", "orders_load")) == []
    assert messages(router_config, deployed_jobs=("orders_load",)) == [
        "$[0].job_name: 'datamart-load' (job_name's default) is not a deployed load job "
        "(deployed: orders_load)"
    ]


@pytest.mark.parametrize(
    ("job", "path"),
    [
        ({"source_file_name": "customers.txt"}, "$[0].source_file_name"),
        ({"match": "glob", "pattern": "customers_*"}, "$[0].pattern"),
        ({"match": "template", "pattern": "{name}"}, "$[0].pattern"),
    ],
)
def test_a_jobs_files_must_end_in_an_extension_that_says_their_load_format(router_config, job, path):
    router_config[0].update(job)

    (violation,) = violations("router_config", router_config)
    assert (violation.path, violation.message.split(" must end in ")[1]) == (
        path,
        "one of .csv, .parquet, .ndjson, .jsonl, .json: the load reads its format",
    )
