"""The Glue job's arguments and its database secret (no ``awsglue`` here, so tests import it directly)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from psycopg.conninfo import make_conninfo

REQUIRED_ARGUMENTS = ("JOB_NAME", "PLAN_PATH", "DATAMART_SECRET_ARN")
ARGUMENT_DEFAULTS = {"SPARK_MIN_BYTES": str(256 << 20)}
SECRET_FIELDS = ("host", "port", "dbname", "username", "password")


def spark_min_bytes(arguments: Mapping[str, str]) -> int:
    value = arguments.get("SPARK_MIN_BYTES") or ARGUMENT_DEFAULTS["SPARK_MIN_BYTES"]
    try:
        return int(value)
    except ValueError as error:
        raise ValueError(f"job argument --SPARK_MIN_BYTES must be an int, got {value!r}") from error


def dsn_from_secret(secrets_client, secret_arn: str) -> str:
    """The connection string built from the Secrets Manager secret (RDS layout); it stays in memory."""
    secret = json.loads(secrets_client.get_secret_value(SecretId=secret_arn)["SecretString"])
    missing = [name for name in SECRET_FIELDS if not secret.get(name)]
    if missing:
        # Names only: the secret's values are never logged.
        raise ValueError(f"secret {secret_arn} lacks field(s) {', '.join(missing)}")
    return make_conninfo(
        host=secret["host"],
        port=str(secret["port"]),
        dbname=secret["dbname"],
        user=secret["username"],
        password=secret["password"],
        sslmode=secret.get("sslmode", "require"),
        application_name="datamart-load",
    )
