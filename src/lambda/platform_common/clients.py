"""boto3 clients configured the same way in every function: standard retries."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode backs off on throttling and transient errors of every client the same way.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


def client(service: str, session: boto3.session.Session | None = None) -> Any:
    return (session or boto3.session.Session()).client(service, config=CLIENT_CONFIG)
