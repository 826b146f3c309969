"""Apply an environment's Terraform (environments/<name>/) to the local emulator, from a scratch copy.

The environment's own files are copied, unchanged, into `.local/<workspace>/` (two levels below the repo
root, so the environment's `source = "../../terraform"` still resolves), beside one Terraform override file
that swaps the S3 backend for local state and may set module arguments for the emulator (shorter retry
waits, say). State therefore never lands in `environments/`, and every run starts from the committed
code. Terraform initialises offline from the provider mirror when one exists (TF_PLUGIN_DIR, default
/opt/tf-plugins). The demo, the tests, the benchmark and `make plan/apply LOCAL=1` (`local-aws prepare`) all
use this one scratch copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLUGIN_DIR = "/opt/tf-plugins"
# The name of the module block and of the output every environment exposes the stack with.
STACK_MODULE = "ndjson_intake"


class TerraformError(RuntimeError):
    """A Terraform command failed; the message ends with its output."""


def _hcl(value: Any) -> str:
    # JSON literals of strings, numbers, booleans, lists and maps are valid HCL expressions.
    return json.dumps(value)


class LocalStack:
    """One environment applied to the emulator whose environment (`LocalAws.env`) is given."""

    def __init__(
        self,
        emulator_env: Mapping[str, str],
        environment: str = "dev",
        workspace: str | None = None,
        module_overrides: Mapping[str, Any] | None = None,
        log: Callable[[str], None] = print,
        repo_root: Path = REPO_ROOT,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        """`repo_root`: the checkout whose environment is applied (another release's, for upgrade tests);
        `base_env`: the environment Terraform runs in, before the emulator's (default: this process's)."""
        self.environment = environment
        self.repo_root = repo_root
        self.workdir = repo_root / ".local" / (workspace or f"{environment}-stack")
        self.module_overrides = dict(module_overrides or {})
        self._log = log
        self._env = {
            **(os.environ if base_env is None else base_env),
            **emulator_env,
            "TF_VAR_use_local_emulator": "true",
            "TF_IN_AUTOMATION": "1",
        }
        # A CLI configuration elsewhere (or a missing one) must not send init to a registry.
        self._env.pop("TF_CLI_CONFIG_FILE", None)

    def prepare(self, keep_state: bool = False) -> None:
        """Scratch copy of the environment with the local-state override, and terraform init.

        The copy is fresh unless `keep_state`: then only the Terraform files are replaced, so the state of
        an earlier apply to a still-running emulator (`make apply LOCAL=1`) is planned against.
        """
        source = self.repo_root / "environments" / self.environment
        if keep_state and self.workdir.is_dir():
            for path in self.workdir.iterdir():
                if path.is_file() and path.suffix in (".tf", ".tfvars"):
                    path.unlink()
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        for path in source.iterdir():
            if path.is_file() and path.suffix in (".tf", ".tfvars"):
                shutil.copy2(path, self.workdir / path.name)
        overrides = "".join(f"  {name} = {_hcl(value)}\n" for name, value in self.module_overrides.items())
        (self.workdir / "local_emulator_override.tf").write_text(
            "# Written by local_aws.stack: local state, and settings for the emulator.\n"
            'terraform {\n  backend "local" {}\n}\n'
            + (f'\nmodule "{STACK_MODULE}" {{\n{overrides}}}\n' if overrides else "")
        )
        init = ["init", "-input=false", "-no-color"]
        plugin_dir = os.environ.get("TF_PLUGIN_DIR", DEFAULT_PLUGIN_DIR)
        if Path(plugin_dir).is_dir():
            init.append(f"-plugin-dir={plugin_dir}")
        self._terraform(*init)

    def build(self) -> None:
        """The deployable archives the stack uploads (scripts/build.py, deterministic)."""
        build_script = self.repo_root / "scripts" / "build.py"
        subprocess.run([sys.executable, str(build_script)], check=True, stdout=subprocess.DEVNULL)

    def apply(self, **variables: Any) -> dict[str, Any]:
        """terraform apply with the environment's variables set as given; returns the stack's outputs."""
        arguments = ["apply", "-input=false", "-auto-approve", "-no-color", "-parallelism=20"]
        for name, value in variables.items():
            arguments.append(f"-var={name}={_hcl(value) if not isinstance(value, str) else value}")
        started = time.monotonic()
        self._terraform(*arguments)
        self._log(f"terraform apply ({self.environment}, emulator): {time.monotonic() - started:.0f} s")
        return self.outputs()

    def tftest(self) -> Any:
        """A tftest.TerraformTest on the prepared copy (plans parsed for assertions); tftest is a dev extra.

        Its `setup()` is not called: the copy is initialised already, and tftest's cleanup would delete it.
        """
        import tftest

        return tftest.TerraformTest(str(self.workdir), env=self._env)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._terraform("output", "-json", "-no-color"))
        return raw[STACK_MODULE]["value"]

    def state_path(self) -> Path:
        """The local state file of the copy (written by apply)."""
        return self.workdir / "terraform.tfstate"

    def remove(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _terraform(self, *arguments: str) -> str:
        result = subprocess.run(
            ["terraform", *arguments], cwd=self.workdir, env=self._env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise TerraformError(
                f"terraform {arguments[0]} failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
                f"{result.stderr[-4000:]}"
            )
        return result.stdout
