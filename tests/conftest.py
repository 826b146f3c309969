"""Fixtures shared by every test suite."""

import os

import pytest


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
    suite runs files through it. One module argument differs from the committed environment: a failing
    Glue run is retried after 1 s and 2 s instead of 30 s and 60 s, so the failure paths take seconds. The
    emulator's environment and the Spark runner are not left set for the suites sharing the emulator:
    whoever needs them sets them meanwhile.
    """
    from local_aws.deployment import local_deployment

    saved_environ, saved_runner = dict(os.environ), local_aws.glue_runner
    with local_deployment(
        aws=local_aws, workspace=f"dev-{os.getpid()}", module_overrides={"glue_retry_interval_seconds": 1}
    ) as deployment:
        os.environ.clear()
        os.environ.update(saved_environ)
        local_aws.glue_runner = saved_runner
        yield deployment


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
