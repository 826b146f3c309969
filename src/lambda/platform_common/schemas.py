"""The JSON Schemas of the config kinds and of datamart bundle manifests, from the repository's `schemas/`.

That folder is the one copy the router, UploadConfig, the datamart workflow, the tests and the deploy
pipeline all read. The archives of the functions that validate documents carry it as
`platform_common/schemas/` (scripts/build.py adds it); a source checkout has it three levels up.
jsonschema is bundled only into those functions' archives.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

KINDS = ("router_config", "datamart_run")

_PACKAGED = Path(__file__).resolve().parent / "schemas"
_CHECKOUT = Path(__file__).resolve().parents[3] / "schemas"


def schema_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def load_schema(kind: str) -> dict[str, Any]:
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    # Formats are only annotations in 2020-12 unless checked: run_date's "date" is meant as a rule.
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def violations(kind: str, document: object) -> list[str]:
    """Every schema violation of `document`, as `<path>: <message>`, sorted by path."""
    errors = sorted(validator(kind).iter_errors(document), key=lambda error: list(map(str, error.path)))
    return [f"{error.json_path}: {error.message}" for error in errors]
