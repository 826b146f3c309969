"""Replays: a held decision's execution started as the router would have started it; a failed file put
back under the input prefix, where its arrival is a new object the router decides afresh (with the config
of now)."""

from __future__ import annotations

from dataclasses import dataclass

from file_router.decisions import FAILED, HELD, Decision, DecisionTable
from file_router.executions import Executions
from file_router.moves import move


@dataclass(frozen=True)
class Replay:
    decision: Decision

    @property
    def action(self) -> str:
        if self.decision.status == HELD:
            return f"start {self.decision.execution}"
        return f"move {self.decision.moved_to} back to {self.decision.landed.key}"


def plan(table: DecisionTable, files: set[str], statuses: tuple[str, ...] = (HELD, FAILED)) -> list[Replay]:
    """The held and failed decisions (of `files` only, when given: s3://bucket/key of the landed file)."""
    found = [
        Replay(decision)
        for status in statuses
        for decision in table.all(status)
        if not files or decision.file in files
    ]
    return sorted(found, key=lambda replay: (replay.decision.decided_at, replay.decision.file))


def run(table: DecisionTable, executions: Executions, s3: object, replays: list[Replay]) -> list[str]:
    """Carries the replays out; what each did."""
    done = []
    for replay in replays:
        decision = replay.decision
        if decision.status == HELD:
            started = executions.start(decision.execution, decision.execution_input)
            table.mark_triggered(decision)
            done.append(f"{decision.execution}: {'started' if started else 'had started already'}")
        else:
            landed = decision.landed
            move(s3, landed.bucket, decision.moved_to, landed.key)
            table.mark_replayed(decision)
            done.append(f"{decision.file}: back under the input prefix, to be routed again")
    return done
