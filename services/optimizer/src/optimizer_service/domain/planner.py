"""The planner's entry points: `optimize` (CP-SAT, decomposed) and `baseline` (greedy).

Both never raise for a valid problem and never return a plan the checker rejects.
"""

from __future__ import annotations

import logging
import time

from contracts.events.optimizer_schedules import FailureDetail, FailureReason
from contracts.planning import OptimizationProblem

from optimizer_service.domain.baseline import greedy_placements, trivial_report
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Failed, Outcome, Solved
from optimizer_service.domain.plans import build_plan, missing_mandatory
from optimizer_service.domain.preparation import Prepared, prepare
from optimizer_service.domain.scoring import score

log = logging.getLogger(__name__)


def baseline(problem: OptimizationProblem) -> Outcome:
    """Earliest due date first, first fit: what a coordinator does by hand."""
    started = time.monotonic()
    try:
        prepared = prepare(problem)
        if isinstance(prepared, Failed):
            return prepared
        placements = greedy_placements(prepared)
        failed = missing_mandatory(prepared.facts, placements, prepared.reasons)
        if failed is not None:
            return failed
        report = trivial_report(score(prepared.facts, placements).objective, started)
        return checked(problem, prepared, placements, report)
    except Exception as error:  # never crash a run; say what broke
        log.exception("baseline failed")
        return Failed(FailureReason.SOLVER_ERROR, f"the baseline planner failed: {error!r}"[:1000])


def optimize(problem: OptimizationProblem, *, workers: int | None = None) -> Outcome:
    """CP-SAT planning within the problem's time and gap limits; see `decomposition`."""
    try:
        from optimizer_service.domain.decomposition import solve

        return solve(problem, workers=workers)
    except Exception as error:
        log.exception("optimizer failed")
        return Failed(FailureReason.SOLVER_ERROR, f"the optimizer failed: {error!r}"[:1000])


def checked(problem: OptimizationProblem, prepared: Prepared, placements, report) -> Outcome:
    plan = build_plan(prepared.facts, placements, prepared.reasons)
    violations = check_plan(problem, plan)
    if not violations:
        return Solved(plan, report)
    details = tuple(
        FailureDetail(
            code=v.code, message=v.message[:1000], case_ids=v.case_ids, resource_ids=v.resource_ids
        )
        for v in violations[:1000]
    )
    return Failed(FailureReason.SOLVER_ERROR, "the plan failed the independent checker", details)
