"""Local AWS emulator for tests, `make plan/apply LOCAL=1`, `make up` and `make demo`: see README.md here."""

from local_aws.bridged_server import PortInUseError
from local_aws.bridges.glue import GlueRunner
from local_aws.server import LocalAws, emulator_env

__all__ = ["GlueRunner", "LocalAws", "PortInUseError", "emulator_env"]
