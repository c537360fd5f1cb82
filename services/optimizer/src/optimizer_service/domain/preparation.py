"""Shared first and last steps of every planner: the problem in minutes, eligibility, the locked
cases; and the plan made of placements, checked."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events.optimizer_schedules import FailureDetail, FailureReason
from contracts.planning import OptimizationProblem, SolverReport

from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.eligibility import assign_segments
from optimizer_service.domain.facts import CaseFacts, Facts, build_facts
from optimizer_service.domain.ledger import Ledger, Placement, is_free
from optimizer_service.domain.outcome import Failed, Outcome, Solved
from optimizer_service.domain.plans import Reasons, build_plan


@dataclass(slots=True)
class Prepared:
    facts: Facts
    reasons: Reasons
    locked: dict[int, Placement]

    def ledger(self) -> Ledger:
        ledger = Ledger(self.facts)
        for placement in self.locked.values():
            ledger.book(placement)
        return ledger


def prepare(problem: OptimizationProblem) -> Prepared | Failed:
    facts = build_facts(problem)
    reasons = assign_segments(facts)
    ledger = Ledger(facts)
    locked: dict[int, Placement] = {}
    clashes = []
    for case in facts.cases:
        if not case.locked or case.booked is None:
            continue
        b = case.booked
        placement = Placement(case.index, b.room, b.start, b.end, b.staff, b.units)
        if not _fits_beside(ledger, case, placement):
            clashes.append(case.case.case_id)
        ledger.book(placement)
        locked[case.index] = placement
    if clashes:
        details = tuple(
            FailureDetail(
                code="locked_conflict",
                message=f"locked case {case_id} overlaps another locked booking",
                case_ids=(case_id,),
            )
            for case_id in clashes
        )
        return Failed(FailureReason.INFEASIBLE, "locked bookings overlap each other", details)
    return Prepared(facts, reasons, locked)


def _fits_beside(ledger: Ledger, case: CaseFacts, p: Placement) -> bool:
    c = case.case
    if not is_free(ledger.rooms[p.room], p.start - c.setup_minutes, p.end + c.cleanup_minutes):
        return False
    if not all(is_free(ledger.people[s], p.start, p.end) for s in (case.surgeon, *p.staff)):
        return False
    turnaround = ledger.facts.unit_turnaround
    return all(is_free(ledger.units[u], p.start, p.end + turnaround[u]) for u in p.units)


def checked(
    problem: OptimizationProblem,
    prepared: Prepared,
    placements: dict[int, Placement],
    report: SolverReport,
) -> Outcome:
    """The plan, if the independent checker accepts it; else a solver_error naming why."""
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
