"""Fixtures shared by every test suite."""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

# A setup takes a scratch directory and the environment as it was before any test ran (tests change
# os.environ meanwhile), and returns a context manager.
Setup = Callable[[Path, dict[str, str]], contextlib.AbstractContextManager]


class BackgroundSetups:
    """Setups of a minute or more that share nothing with the session (an emulator or a process of their
    own), started as soon as the run is collected: they overlap the suites collected before them, mostly on
    the machine's second core, instead of adding their minute to the run.

    A test module opts in with a module-level ``BACKGROUND_SETUP`` (a Setup). Its fixture then enters
    ``use(module.__name__, BACKGROUND_SETUP)``, which waits for the background setup (or runs it there and
    then, when the run did not start it: a run of pytest-xdist workers, each of which would start all).
    """

    def __init__(self) -> None:
        self._environ = dict(os.environ)
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="background-setup")
        self._started: dict[str, Future] = {}

    def _enter(self, setup: Setup) -> tuple[object, contextlib.ExitStack]:
        stack = contextlib.ExitStack()
        try:
            scratch = Path(tempfile.mkdtemp(prefix="background-setup-"))
            stack.callback(shutil.rmtree, scratch, ignore_errors=True)
            return stack.enter_context(setup(scratch, self._environ)), stack
        except BaseException:
            stack.close()
            raise

    def start(self, name: str, setup: Setup) -> None:
        self._started[name] = self._executor.submit(self._enter, setup)

    @contextlib.contextmanager
    def use(self, name: str, setup: Setup) -> Iterator:
        started = self._started.pop(name, None)
        value, stack = started.result() if started else self._enter(setup)
        with stack:
            yield value

    def close(self) -> None:
        """Tear down what no test used (a run stopped early: -x, Ctrl-C) once it has finished starting."""
        for started in self._started.values():
            with contextlib.suppress(Exception):
                started.result()[1].close()
        self._executor.shutdown()


_BACKGROUND_SETUPS = pytest.StashKey[BackgroundSetups]()


def pytest_collection_finish(session):
    if session.config.option.collectonly or "PYTEST_XDIST_WORKER" in os.environ:
        return
    setups = session.config.stash[_BACKGROUND_SETUPS] = BackgroundSetups()
    modules = {item.module.__name__: item.module for item in session.items if hasattr(item, "module")}
    for name, module in modules.items():
        if hasattr(module, "BACKGROUND_SETUP"):
            setups.start(name, module.BACKGROUND_SETUP)


def pytest_unconfigure(config):
    if _BACKGROUND_SETUPS in config.stash:
        config.stash[_BACKGROUND_SETUPS].close()


@pytest.fixture(scope="session")
def background_setups(request) -> BackgroundSetups:
    """The run's background setups (see BackgroundSetups)."""
    return request.config.stash.setdefault(_BACKGROUND_SETUPS, BackgroundSetups())


@pytest.fixture(scope="session")
def local_aws():
    """The local AWS emulator for the whole session (one per xdist worker), executing state machines.

    Its state is shared by every test of the session: use unique resource names, or call
    `local_aws.reset()` where a test needs an empty account.
    """
    from local_aws import LocalAws

    with LocalAws(execute_state_machines=True) as aws:
        yield aws


@pytest.fixture
def local_aws_env(local_aws, monkeypatch):
    """The emulator's environment (endpoint, dummy credentials, region) set for code under test."""
    for name, value in local_aws.env.items():
        monkeypatch.setenv(name, value)
    return local_aws.env


@pytest.fixture(scope="session")
def dev_deployment(local_aws):
    """environments/dev applied once per session to the session's emulator, with the Spark Glue runner.

    The Terraform suite checks the deployed resources and a drift-free second plan on it; the integration
    suite runs files through it. Three module arguments differ from the committed environment, so that the
    failure and backlog paths take seconds: a failing Glue run is retried after 1 s and 2 s instead of 30 s
    and 60 s, a run refused for concurrency waits 1 to 2 s instead of 1 to 15 minutes, and a datamart run
    whose bundle is busy 1 to 2 s instead of 5 to 60 s. The
    emulator's environment and the Spark runner are not left set for the suites sharing the emulator:
    whoever needs them sets them meanwhile. The datamart's secret is the emulator's, empty until a suite
    points it at a database (`Deployment.use_datamart_database`).
    """
    from local_aws.deployment import local_deployment

    saved_environ, saved_runner = dict(os.environ), local_aws.glue_runner
    with local_deployment(
        aws=local_aws,
        workspace=f"dev-{os.getpid()}",
        module_overrides={
            "glue_retry_interval_seconds": 1,
            "glue_concurrency_retry": {"interval_seconds": 1, "max_delay_seconds": 2, "max_attempts": 60},
            "datamart_bundle_lock_retry": {"interval_seconds": 1, "max_delay_seconds": 2, "max_attempts": 60},
        },
    ) as deployment:
        os.environ.clear()
        os.environ.update(saved_environ)
        local_aws.glue_runner = saved_runner
        yield deployment


@pytest.fixture(scope="session")
def postgres():
    """One local PostgreSQL server for the session (local_pg); suites create a database per test on it."""
    from local_pg import LocalPostgres

    with LocalPostgres() as server:
        yield server


@pytest.fixture
def moto_s3(monkeypatch):
    """An S3 client on moto in this process, with dummy credentials and no emulator endpoint inherited, so
    that code under test creating its own clients reaches the same mock."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of Lambda's context object that the handlers and Powertools' logger read."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "request-1"
    remaining_seconds: float = 900

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining_seconds * 1000)


@pytest.fixture
def lambda_context() -> type[LambdaContext]:
    """Makes a Lambda context object: `lambda_context()`, or `lambda_context(remaining_seconds=5)`."""
    return LambdaContext


class GlueStandIns:
    """Runs a Glue entry script with fakes for the awsglue calls it makes, recording them in ``calls``."""

    def __init__(self, monkeypatch):
        self.calls: list[tuple] = []
        self._monkeypatch = monkeypatch

    def run(self, script, *arguments: str) -> None:
        import runpy
        import sys

        self._monkeypatch.setattr(sys, "argv", [str(script), *arguments])
        runpy.run_path(str(script), run_name="__main__")


@pytest.fixture
def glue_stand_ins(monkeypatch) -> GlueStandIns:
    """awsglue exists only inside Glue: fakes that behave like Glue's (getResolvedOptions fails on a requested
    name that was not passed) and record ``init`` and ``commit``; the Spark session is a marker string."""
    import sys
    import types

    stand_ins = GlueStandIns(monkeypatch)

    def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
        passed = dict(zip(argv[1::2], argv[2::2], strict=False))
        missing = [name for name in names if f"--{name}" not in passed]
        if missing:
            raise SystemExit(f"the following arguments are required: {missing}")
        return {name: passed[f"--{name}"] for name in names}

    class GlueContext:
        def __init__(self, spark_context):
            self.spark_session = "glue-spark-session"

    class Job:
        def __init__(self, context):
            pass

        def init(self, name, arguments):
            stand_ins.calls.append(("init", name))

        def commit(self):
            stand_ins.calls.append(("commit",))

    modules = {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.context": types.SimpleNamespace(GlueContext=GlueContext),
        "awsglue.job": types.SimpleNamespace(Job=Job),
        "awsglue.utils": types.SimpleNamespace(getResolvedOptions=get_resolved_options),
        "pyspark.context": types.SimpleNamespace(
            SparkContext=types.SimpleNamespace(getOrCreate=lambda: None)
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return stand_ins
