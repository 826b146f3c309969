"""The repository's own config files pass the schemas UploadConfig enforces, and the schemas are sound."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from platform_common import schemas
from platform_common.config_validation import default_job_name, violations
from platform_common.schemas import KINDS, load_schema, schema_dir

REPO = Path(__file__).resolve().parents[2]

# Each config file of the repository and the kind that governs it.
REPOSITORY_CONFIGS = {"config/config.json": "router_config"}


@pytest.mark.parametrize(("path", "kind"), sorted(REPOSITORY_CONFIGS.items()))
def test_the_repository_config_is_valid(path, kind):
    # The platform deploys one load job, the datamart engine's (terraform/router.tf: DEPLOYED_LOAD_JOBS).
    assert violations(kind, json.loads((REPO / path).read_text()), deployed_jobs=(default_job_name(),)) == []


def test_every_json_file_under_config_is_covered():
    # A bundle's manifest is validated with its bundle, by the datamart workflow (tests/datamart_workflow).
    files = [
        p for p in (REPO / "config").rglob("*.json") if not p.is_relative_to(REPO / "config" / "bundles")
    ]
    assert sorted(str(p.relative_to(REPO)) for p in files) == sorted(REPOSITORY_CONFIGS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kinds_schema_is_a_valid_draft_2020_12_schema(kind):
    schema = load_schema(kind)

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schemas_are_read_from_the_repositorys_top_level_folder():
    assert schema_dir() == REPO / "schemas"
    # Beside UploadConfig's kinds: the bundle manifests' schema, which the datamart workflow reads.
    assert sorted(p.name for p in schema_dir().glob("*.json")) == sorted(
        [*(f"{kind}.schema.json" for kind in KINDS), "datamart_bundle.schema.json"]
    )


def test_a_lambda_archive_reads_the_schemas_packaged_beside_the_code(tmp_path, monkeypatch):
    packaged = tmp_path / "platform_common" / "schemas"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(schemas, "_PACKAGED", packaged)

    assert schema_dir() == packaged
