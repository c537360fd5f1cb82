"""What a planning run ends in: a checked plan with solver figures, or a failure and why."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events.optimizer_schedules import FailureDetail, FailureReason
from contracts.planning import Plan, SolverReport


@dataclass(frozen=True, slots=True)
class Solved:
    plan: Plan
    report: SolverReport


@dataclass(frozen=True, slots=True)
class Failed:
    reason: FailureReason
    message: str
    details: tuple[FailureDetail, ...] = ()


Outcome = Solved | Failed
