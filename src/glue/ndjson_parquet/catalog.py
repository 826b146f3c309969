"""The Parquet output in the Glue Data Catalog: each run registers its partition and adds its new fields as
columns, so Athena reads a manifest's rows as soon as it completes, with no crawler.

Terraform creates the database and the table (partition keys `date_prefix` and `manifest_id`, the two columns
the job adds, Parquet's SerDe) and leaves its columns to the job. The partitions are registered rather than
projected: manifest ids cannot be enumerated by a projection. Every column is a string (see the README's
"Columns"), named as the job names it (`transform.column_names`: case variants get `__2`, ...); a column is
never removed, since earlier partitions hold it. A run whose manifest wrote no rows removes its partition (a
replay after its files were quarantined). Without --CATALOG_DATABASE/--CATALOG_TABLE (local runs) nothing is
registered.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ndjson_parquet import transform
from ndjson_parquet.job import JobStats

# What GetTable returns that UpdateTable's TableInput does not take.
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
)
_UPDATE_ATTEMPTS = 5


def register(glue: Any, database: str, table: str, stats: JobStats, location: str) -> None:
    """Adds the run's new columns to the table, then registers (or, without rows, removes) its partition at
    `location`."""
    if not (database and table):
        return
    definition = _add_columns(glue, database, table, list(transform.column_names(stats.fields).values()))
    values = [stats.date_prefix, stats.manifest_id]
    if not stats.records_written:
        with contextlib.suppress(glue.exceptions.EntityNotFoundException):
            glue.delete_partition(DatabaseName=database, TableName=table, PartitionValues=values)
        return
    descriptor = {**definition["StorageDescriptor"], "Location": location}
    partition = {"Values": values, "StorageDescriptor": descriptor}
    errors = glue.batch_create_partition(
        DatabaseName=database, TableName=table, PartitionInputList=[partition]
    )
    if any(
        error["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException" for error in errors.get("Errors", [])
    ):
        raise RuntimeError(f"could not register partition {values} of {database}.{table}: {errors['Errors']}")
    if errors.get("Errors"):
        # A replay: the partition takes the table's columns as they are now.
        glue.update_partition(
            DatabaseName=database, TableName=table, PartitionValueList=values, PartitionInput=partition
        )


def _add_columns(glue: Any, database: str, table: str, columns: list[str]) -> dict[str, Any]:
    """The table's definition once it has every column in `columns` (new ones appended as strings).

    UpdateTable is conditioned on the version read, so two runs adding columns at once both land theirs.
    """
    for _ in range(_UPDATE_ATTEMPTS):
        current = glue.get_table(DatabaseName=database, Name=table)["Table"]
        descriptor = current["StorageDescriptor"]
        known = {column["Name"].casefold() for column in descriptor.get("Columns", [])}
        known |= {key["Name"].casefold() for key in current.get("PartitionKeys", [])}
        new = [{"Name": name, "Type": "string"} for name in columns if name.casefold() not in known]
        if not new:
            return current
        table_input = {key: current[key] for key in _TABLE_INPUT_KEYS if key in current}
        table_input["StorageDescriptor"] = {**descriptor, "Columns": [*descriptor.get("Columns", []), *new]}
        try:
            glue.update_table(
                DatabaseName=database, TableInput=table_input, VersionId=current.get("VersionId", "")
            )
        except glue.exceptions.ConcurrentModificationException:
            continue
        return {**current, "StorageDescriptor": table_input["StorageDescriptor"]}
    raise RuntimeError(f"{database}.{table} kept changing while adding columns {columns}")
