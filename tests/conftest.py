"""Fixtures shared by every test suite."""

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
