"""The plan document: parsing and validation. Every error names the step and the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from datamart_load import storage

FORMATS = ("parquet", "csv", "ndjson")
ON_NEW_COLUMN = ("add", "fail", "ignore")
SQL_MODES = ("transform", "schema")
DEFAULT_MAX_REJECT_RATIO = 0.01
# An unquoted PostgreSQL identifier; names are folded to lower case as PostgreSQL folds unquoted ones.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
STEP_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
PARAMETER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PlanError(ValueError):
    """The plan document is not valid; the message names the step and field."""


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    quote_char: str = '"'
    escape_char: str | None = None
    encoding: str = "utf-8"
    null_values: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class LoadStep:
    id: str
    source_uris: tuple[str, ...]
    format: str
    schema: str
    table: str
    upsert_keys: tuple[str, ...]
    max_reject_ratio: float = DEFAULT_MAX_REJECT_RATIO
    on_new_column: str = "add"
    csv: CsvDialect = field(default_factory=CsvDialect)
    type: str = "load"

    @property
    def target_table(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class SqlStep:
    id: str
    script_uri: str
    mode: str = "transform"
    type: str = "sql"


@dataclass(frozen=True)
class Plan:
    run_id: str
    steps: tuple[LoadStep | SqlStep, ...]
    parameters: dict[str, str] = field(default_factory=dict)


def _require(document: dict, name: str, where: str, kind: type = str):
    value = document.get(name)
    if value is None:
        raise PlanError(f"{where}: missing field {name!r}")
    if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
        raise PlanError(f"{where}: field {name!r} must be a non-empty {kind.__name__}, got {value!r}")
    return value


def _identifier(value: str, where: str, name: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise PlanError(
            f"{where}: {name} {value!r} is not a plain PostgreSQL identifier ([A-Za-z_][A-Za-z0-9_$]*)"
        )
    return value.lower()


def _csv_dialect(document: dict | None, where: str) -> CsvDialect:
    document = document or {}
    unknown = set(document) - {"delimiter", "quote_char", "escape_char", "encoding", "null_values"}
    if unknown:
        raise PlanError(f"{where}: unknown csv option(s) {sorted(unknown)}")
    dialect = CsvDialect(
        **{**document, "null_values": tuple(document.get("null_values", CsvDialect.null_values))}
    )
    for name in ("delimiter", "quote_char", "escape_char"):
        value = getattr(dialect, name)
        if value is not None and (not isinstance(value, str) or len(value) != 1):
            raise PlanError(f"{where}: csv {name} must be one character, got {value!r}")
    return dialect


def _load_step(document: dict, where: str) -> LoadStep:
    uris = _require(document, "source_uris", where, list)
    if not all(isinstance(uri, str) and uri for uri in uris):
        raise PlanError(f"{where}: source_uris must be non-empty strings, got {uris!r}")
    data_format = _require(document, "format", where)
    if data_format not in FORMATS:
        raise PlanError(f"{where}: format {data_format!r} is not one of {', '.join(FORMATS)}")
    target = _require(document, "target_table", where)
    if target.count(".") != 1:
        raise PlanError(f"{where}: target_table {target!r} must be schema.table")
    schema, table = (_identifier(part, where, "target_table part") for part in target.split("."))
    keys = _require(document, "upsert_keys", where, list)
    keys = tuple(_identifier(key, where, "upsert key") for key in keys)
    if len(set(keys)) != len(keys):
        raise PlanError(f"{where}: upsert_keys repeat a column: {list(keys)}")
    ratio = document.get("max_reject_ratio", DEFAULT_MAX_REJECT_RATIO)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise PlanError(f"{where}: max_reject_ratio must be a number between 0 and 1, got {ratio!r}")
    on_new_column = document.get("on_new_column", "add")
    if on_new_column not in ON_NEW_COLUMN:
        raise PlanError(f"{where}: on_new_column {on_new_column!r} is not one of {', '.join(ON_NEW_COLUMN)}")
    if "csv" in document and data_format != "csv":
        raise PlanError(f"{where}: csv options given for format {data_format!r}")
    return LoadStep(
        id=document["id"],
        source_uris=tuple(uris),
        format=data_format,
        schema=schema,
        table=table,
        upsert_keys=keys,
        max_reject_ratio=float(ratio),
        on_new_column=on_new_column,
        csv=_csv_dialect(document.get("csv"), where),
    )


def _sql_step(document: dict, where: str) -> SqlStep:
    mode = document.get("mode", "transform")
    if mode not in SQL_MODES:
        raise PlanError(f"{where}: mode {mode!r} is not one of {', '.join(SQL_MODES)}")
    return SqlStep(id=document["id"], script_uri=_require(document, "script_uri", where), mode=mode)


def parse_plan(document: dict) -> Plan:
    if not isinstance(document, dict):
        raise PlanError("plan: the document must be a JSON object")
    run_id = _require(document, "run_id", "plan")
    if not STEP_ID.match(run_id):
        raise PlanError(f"plan: run_id {run_id!r} must match {STEP_ID.pattern}")
    parameters = document.get("parameters", {})
    if not isinstance(parameters, dict) or not all(
        isinstance(name, str) and PARAMETER.match(name) and isinstance(value, str | int | float)
        for name, value in parameters.items()
    ):
        raise PlanError(
            f"plan: parameters must map lower-case names to strings or numbers, got {parameters!r}"
        )
    steps, seen = [], set()
    for position, step in enumerate(_require(document, "steps", "plan", list)):
        where = f"step {position}"
        if not isinstance(step, dict):
            raise PlanError(f"{where}: must be a JSON object")
        step_id = _require(step, "id", where)
        if not STEP_ID.match(step_id):
            raise PlanError(f"{where}: id {step_id!r} must match {STEP_ID.pattern}")
        if step_id in seen:
            raise PlanError(f"step {step_id!r}: id used twice")
        seen.add(step_id)
        where = f"step {step_id!r}"
        kind = step.get("type")
        if kind == "load":
            steps.append(_load_step(step, where))
        elif kind == "sql":
            steps.append(_sql_step(step, where))
        else:
            raise PlanError(f"{where}: type {kind!r} is not 'load' or 'sql'")
    return Plan(run_id=run_id, steps=tuple(steps), parameters={k: str(v) for k, v in parameters.items()})


def load_plan(uri: str) -> Plan:
    """The plan at ``uri`` (local path, ``file://`` or ``s3://``)."""
    try:
        document = json.loads(storage.read_bytes(uri))
    except json.JSONDecodeError as error:
        raise PlanError(f"plan {uri}: not JSON ({error})") from error
    return parse_plan(document)
