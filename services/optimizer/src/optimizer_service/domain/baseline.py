"""The greedy baseline a coordinator would do by hand: keep bookings, then earliest due date first,
each case into the first slot that fits."""

from __future__ import annotations

import time

from contracts.planning import SolverReport, SolverStatus
from contracts.vocabulary import SurgeryPriority

from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.facts import CaseFacts
from optimizer_service.domain.ledger import Ledger, Placement
from optimizer_service.domain.preparation import Prepared

URGENCY = {SurgeryPriority.EMERGENCY: 0, SurgeryPriority.URGENT: 1, SurgeryPriority.ELECTIVE: 2}


def edd_order(case: CaseFacts) -> tuple:
    due = case.due_day if case.due_day is not None else 10**6
    return (URGENCY[case.case.priority], due, case.first_day, case.index)


def keeps_booking(prepared: Prepared, ledger: Ledger, case: CaseFacts) -> Placement | None:
    """The case at its current booking, if that is still a valid place for it."""
    b = case.booked
    if b is None or b.end - b.start != case.duration:
        return None
    c = case.case
    segments = prepared.facts.segments
    fits = any(
        segments[s].room == b.room
        and segments[s].start <= b.start - c.setup_minutes
        and b.end + c.cleanup_minutes <= segments[s].end
        for s in case.segments
    )
    return ledger.try_at(case, b.room, b.start) if fits else None


def greedy_placements(prepared: Prepared, deadline: Deadline | None = None) -> dict[int, Placement]:
    """Locked cases, kept bookings, then first fit in EDD order. Once `deadline` has passed, only
    mandatory cases are still placed (first fit takes milliseconds a case): the cheapest plan
    that is still a plan, rather than none."""
    facts = prepared.facts
    ledger = prepared.ledger()
    placements = dict(prepared.locked)
    free = [c for c in facts.cases if not c.locked and c.segments]
    for case in free:
        kept = keeps_booking(prepared, ledger, case)
        if kept is not None:
            ledger.book(kept)
            placements[case.index] = kept
    first_fit_order = lambda s: (s.day, s.room, s.start)  # noqa: E731
    for case in sorted(free, key=edd_order):
        if case.index in placements:
            continue
        if not case.mandatory and deadline is not None and deadline.passed():
            continue
        segments = sorted((facts.segments[s] for s in case.segments), key=first_fit_order)
        placement = ledger.first_fit(case, segments)
        if placement is not None:
            ledger.book(placement)
            placements[case.index] = placement
    return placements


def trivial_report(objective: int, started: float) -> SolverReport:
    """Every objective term is non-negative, so zero is the only bound a greedy can claim."""
    return SolverReport(
        status=SolverStatus.OPTIMAL if objective == 0 else SolverStatus.FEASIBLE,
        objective=objective,
        best_bound=0,
        gap=1.0 if objective > 0 else 0.0,
        wall_time_seconds=round(time.monotonic() - started, 3),
    )
