"""The planner's entry points: `optimize` (CP-SAT, decomposed) and `baseline` (greedy).

Both never raise for a valid problem and never return a plan the checker rejects.
"""

from __future__ import annotations

import logging
import time

from contracts.events.optimizer_schedules import FailureReason
from contracts.planning import OptimizationProblem

from optimizer_service.domain.baseline import greedy_placements, trivial_report
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.decomposition import reserve_seconds, solve
from optimizer_service.domain.outcome import Failed, Outcome
from optimizer_service.domain.plans import missing_mandatory
from optimizer_service.domain.preparation import checked, prepare
from optimizer_service.domain.scoring import score

log = logging.getLogger(__name__)


def baseline(problem: OptimizationProblem) -> Outcome:
    """Earliest due date first, first fit: what a coordinator does by hand; cases not reached by
    the time limit (less the checker's reserve) stay out."""
    started = time.monotonic()
    try:
        prepared = prepare(problem)
        if isinstance(prepared, Failed):
            return prepared
        deadline = Deadline(started + problem.time_limit_seconds).earlier(
            reserve_seconds(prepared.facts)
        )
        placements = greedy_placements(prepared, deadline)
        failed = missing_mandatory(prepared.facts, placements, prepared.reasons)
        if failed is not None:
            return failed
        report = trivial_report(score(prepared.facts, placements).objective, started)
        return checked(problem, prepared, placements, report)
    except Exception as error:  # never crash a run; say what broke
        log.exception("baseline failed")
        return Failed(FailureReason.SOLVER_ERROR, f"the baseline planner failed: {error!r}"[:1000])


def optimize(problem: OptimizationProblem, *, workers: int | None = None, seed: int = 0) -> Outcome:
    """CP-SAT planning within the problem's time and gap limits; see `decomposition`. With one
    worker, the same problem and seed give the same plan when no solve stops at its time limit."""
    try:
        return solve(problem, workers=workers, seed=seed)
    except Exception as error:
        log.exception("optimizer failed")
        return Failed(FailureReason.SOLVER_ERROR, f"the optimizer failed: {error!r}"[:1000])
