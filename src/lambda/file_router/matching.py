"""Which jobs of the config a landed file belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Job, RouterConfig


@dataclass(frozen=True)
class Match:
    job: Job
    # What a template captured (a business date ...), given to the loads as the job's `tokens`.
    tokens: dict[str, str]


def matching_jobs(config: RouterConfig, file_name: str) -> list[Match]:
    """Every job whose name rule the file name satisfies, in config order."""
    found = []
    for job in config.jobs:
        tokens = job.matcher.match(file_name)
        if tokens is not None:
            found.append(Match(job, tokens))
    return found
