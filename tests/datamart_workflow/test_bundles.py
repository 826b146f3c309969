"""Bundles: the manifest's schema, the rules it cannot express (each problem named), the content version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datamart_workflow import bundles
from datamart_workflow.bundles import BundleError

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "config" / "bundles"


def sample() -> dict[str, bytes]:
    return bundles.read_folder(BUNDLES / "events")


def with_manifest(files: dict[str, bytes], change) -> dict[str, bytes]:
    manifest = json.loads(files["bundle.json"])
    change(manifest)
    return {**files, "bundle.json": json.dumps(manifest).encode()}


def problems(files: dict[str, bytes], name: str = "events") -> list[str]:
    with pytest.raises(BundleError) as raised:
        bundles.parse(name, files)
    return raised.value.problems


@pytest.mark.parametrize("folder", sorted(path.name for path in BUNDLES.iterdir()))
def test_every_bundle_of_the_repository_is_valid(folder):
    bundle = bundles.parse(folder, bundles.read_folder(BUNDLES / folder))
    assert bundle.name == folder


def test_the_sample_bundle_has_a_step_per_layer_and_checks_on_each_layer():
    bundle = bundles.parse("events", sample())
    scripts = {step.get("script", "").split("/")[0] for step in bundle.steps}
    assert {"metadata", "STG", "EDV", "DM"} <= scripts
    assert {check["layer"] for check in bundle.checks} == {"STG", "EDV", "DM"}


def test_the_version_is_the_hash_of_the_files_and_changes_with_any_of_them():
    files = sample()
    assert bundles.parse("events", files).version == bundles.version(dict(reversed(files.items())))
    changed = {**files, "EDV/hubs.sql": files["EDV/hubs.sql"] + b"\n"}
    assert bundles.version(changed) != bundles.version(files)
    assert bundles.version({**files, "reference/more.csv": b"x\n"}) != bundles.version(files)


def test_a_missing_script_is_named():
    files = {path: body for path, body in sample().items() if path != "EDV/links.sql"}
    assert problems(files) == ["step 'edv-links': script EDV/links.sql is missing"]


def test_a_missing_reference_file_is_named():
    files = {path: body for path, body in sample().items() if path != "reference/cities.csv"}
    assert problems(files) == ["step 'stg-ref-city': source reference/cities.csv is missing"]


def test_a_step_id_used_twice_is_named():
    files = with_manifest(sample(), lambda m: m["steps"].append({**m["steps"][-1]}))
    assert problems(files) == ["step 'dm-daily-city-events': id used twice"]


def test_a_check_id_that_is_also_a_step_id_is_named():
    files = with_manifest(sample(), lambda m: m["checks"][0].update(id="edv-hubs"))
    assert problems(files) == ["check 'edv-hubs': id used twice"]


def test_an_unknown_table_in_a_script_is_named():
    files = sample()
    files["EDV/links.sql"] = files["EDV/links.sql"].replace(b"edv.hub_user", b"edv.hub_users", 1) + (
        b"\n-- edv.in_a_comment and 'edv.in_a_string' are not references\n"
    )
    files["EDV/links.sql"] += b"SELECT 'edv.in_a_string', 1 FROM edv.hub_userz;\n"
    assert problems(files) == [
        "step 'edv-links': script EDV/links.sql references unknown table edv.hub_userz"
    ]


def test_an_unknown_table_in_a_check_is_named():
    files = {**sample(), "checks/dm_cities_known.sql": b"SELECT 1 FROM dm.daily_events;"}
    assert problems(files) == [
        "check 'dm-cities-known': script checks/dm_cities_known.sql references unknown table dm.daily_events"
    ]


def test_an_unknown_target_table_is_named():
    files = with_manifest(sample(), lambda m: m["steps"][4].update(target_table="stg.ref_town"))
    assert problems(files) == ["step 'stg-ref-city': target_table references unknown table stg.ref_town"]


def test_the_intakes_source_must_be_loaded_as_parquet():
    files = with_manifest(sample(), lambda m: m["steps"][5].update(format="csv"))
    assert problems(files) == ["step 'stg-events': the intake's source is Parquet, format is 'csv'"]


def test_two_schema_scripts_of_one_file_name_are_named():
    def twin(manifest):
        manifest["steps"].insert(
            1, {"id": "twin", "type": "sql", "script": "DM/V1__events_schemas.sql", "mode": "schema"}
        )

    files = with_manifest({**sample(), "DM/V1__events_schemas.sql": b"SELECT 1;"}, twin)
    assert problems(files) == [
        "step 'twin': schema script name V1__events_schemas.sql is also metadata/V1__events_schemas.sql"
    ]


def test_schema_violations_are_reported_with_their_path():
    files = with_manifest(sample(), lambda m: (m["steps"][5].pop("upsert_keys"), m.update(colour="blue")))
    found = problems(files)
    assert found[0].startswith("$: Additional properties are not allowed ('colour'")
    assert found[1].startswith("$.steps[5]: ")


def test_a_manifest_naming_another_bundle_is_named():
    assert problems(sample(), name="orders") == ["bundle.json names bundle 'events', its folder is 'orders'"]


def test_a_bundle_without_manifest_is_refused():
    assert problems({"EDV/hubs.sql": b"SELECT 1;"}) == ["bundle.json is missing"]
