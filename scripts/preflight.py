"""Checks `make plan/apply/destroy` runs before Terraform: a wrong setting gets one line saying what to do,
instead of a provider trace minutes later.

Usage: python scripts/preflight.py ENV [--local] [--destroy]
Exit status 2 with one line on stderr when a check fails; 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = REPO_ROOT / "environments"
# Environments whose data may not be destroyed by a make target.
PROTECTED = {"prod"}


class PreflightError(Exception):
    """A setting that stops the run; the message says what to do."""


def environments() -> list[str]:
    return sorted(path.name for path in ENVIRONMENTS.iterdir() if (path / "main.tf").is_file())


def check_environment(environment: str) -> None:
    if environment not in environments():
        raise PreflightError(
            f"no environment '{environment}': choose one of {', '.join(environments())} (ENV=<name>, "
            "the folders under environments/)"
        )


def check_backend(environment: str) -> None:
    backend = ENVIRONMENTS / environment / "backend.hcl"
    if not backend.is_file():
        raise PreflightError(
            f"environments/{environment}/backend.hcl is missing: copy environments/{environment}/"
            "backend.hcl.example to it and set your state bucket and region (docs/deployment.md), "
            "or add LOCAL=1 to use the local AWS emulator instead"
        )


def check_credentials() -> None:
    import boto3

    if boto3.Session().get_credentials() is None:
        raise PreflightError(
            "no AWS credentials: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or add LOCAL=1 to use the local AWS emulator instead"
        )


def check_destroy(environment: str) -> None:
    if environment in PROTECTED:
        raise PreflightError(
            f"{environment} refuses `make destroy`: its buckets and tracking table hold production data and "
            "are protected (force_destroy = false, deletion protection). To retire it, export what you need, "
            f"set force_destroy = true in environments/{environment}/main.tf in a reviewed change, apply, "
            "then run `terraform destroy` by hand (docs/deployment.md)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment")
    parser.add_argument("--local", action="store_true", help="the run targets the local emulator")
    parser.add_argument("--destroy", action="store_true", help="the run destroys the environment")
    args = parser.parse_args(argv)
    try:
        check_environment(args.environment)
        if args.destroy and not args.local:
            check_destroy(args.environment)
        if not args.local:
            check_backend(args.environment)
            check_credentials()
    except PreflightError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
