"""The JSON Schemas the workflow validates against, from the repository's top-level `schemas/` folder.

The Lambda archive carries that folder as `datamart_workflow/schemas/` (scripts/build.py adds it); a source
checkout has it three levels up.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator

_PACKAGED = Path(__file__).resolve().parent / "schemas"
_CHECKOUT = Path(__file__).resolve().parents[3] / "schemas"


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    folder = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
    schema = json.loads((folder / f"{kind}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def violations(kind: str, document: object) -> list[str]:
    """Every schema violation of `document`, as `<path>: <message>`, sorted by path."""
    errors = sorted(validator(kind).iter_errors(document), key=lambda error: list(map(str, error.path)))
    return [f"{error.json_path}: {error.message}" for error in errors]
