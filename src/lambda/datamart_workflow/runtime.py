"""What a workflow function builds once per container: settings, clients, the stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_common.clients import client

from .runs import RunStore
from .settings import Settings
from .store import WorkflowStore


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: WorkflowStore
    runs: RunStore
    sns: Any
    secrets: Any

    @classmethod
    def from_environ(cls) -> Runtime:
        settings = Settings.from_environ()
        return cls(
            settings=settings,
            store=WorkflowStore(client("s3")),
            runs=RunStore(client("dynamodb"), settings.runs_table),
            sns=client("sns"),
            secrets=client("secretsmanager"),
        )

    def dsn(self) -> str:
        # The engine's reader of the secret: one definition of its layout. Imported here so that the
        # functions that never reach the database do not need psycopg.
        from datamart_load.glue_arguments import dsn_from_secret

        return dsn_from_secret(self.secrets, self.settings.require_database())
