"""Placeholder: the decomposed CP-SAT solve (phase 1 days and rooms, phase 2 sequencing)."""

from __future__ import annotations

from contracts.planning import OptimizationProblem

from optimizer_service.domain.outcome import Outcome


def solve(problem: OptimizationProblem, *, workers: int | None = None) -> Outcome:
    from optimizer_service.domain.planner import baseline

    return baseline(problem)
