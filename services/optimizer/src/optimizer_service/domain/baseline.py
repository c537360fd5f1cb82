"""The greedy baseline a coordinator would do by hand: keep bookings, then earliest due date first,
each case into the first slot that fits."""

from __future__ import annotations

import time
from collections import defaultdict

from contracts.planning import SolverReport, SolverStatus
from contracts.vocabulary import SurgeryPriority

from optimizer_service.domain.calendar import Segment
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.facts import CaseFacts, Facts
from optimizer_service.domain.ledger import Ledger, Placement
from optimizer_service.domain.preparation import Prepared

URGENCY = {SurgeryPriority.EMERGENCY: 0, SurgeryPriority.URGENT: 1, SurgeryPriority.ELECTIVE: 2}


def edd_order(case: CaseFacts) -> tuple[int, int, int, int]:
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


def greedy_placements(
    prepared: Prepared, deadline: Deadline | None = None, *, by_cost: bool = False
) -> dict[int, Placement]:
    """Locked cases, kept bookings, then first fit in EDD order. Once `deadline` has passed, only
    mandatory cases are still placed (first fit takes milliseconds a case): the cheapest plan
    that is still a plan, rather than none.

    `by_cost`: each case tries its segments cheapest first rather than earliest first, as
    far as its own terms tell (waiting and lateness of the day, opening a room-day, its surgeon
    in one more room that day): phase 1's hint, not the baseline."""
    facts = prepared.facts
    ledger = prepared.ledger()
    placements = dict(prepared.locked)
    free = [c for c in facts.cases if not c.locked and c.segments]
    for case in free:
        kept = keeps_booking(prepared, ledger, case)
        if kept is not None:
            ledger.book(kept)
            placements[case.index] = kept
    costs = _Costs(facts, placements) if by_cost else None
    for case in sorted(free, key=edd_order):
        if case.index in placements:
            continue
        if not case.mandatory and deadline is not None and deadline.passed():
            continue
        segments = [facts.segments[s] for s in case.segments]
        if costs is None:
            segments.sort(key=lambda s: (s.day, s.room, s.start))
        else:  # and an optional case only where placing it costs less than leaving it out
            priced = [(costs.of(case, s), s.day, s.room, s.start, s) for s in segments]
            limit = None if case.mandatory else case.unscheduled_cost
            segments = [p[-1] for p in sorted(priced) if limit is None or p[0] < limit]
        placement = ledger.first_fit(case, segments)
        if placement is not None:
            ledger.book(placement)
            placements[case.index] = placement
            if costs is not None:
                costs.add(case, placement)
    return placements


class _Costs:
    """What placing a case in a segment adds to the objective, as far as the case alone says."""

    def __init__(self, facts: Facts, placements: dict[int, Placement]) -> None:
        self.facts = facts
        self.weights = facts.problem.objective_weights
        self.opened: set[tuple[int, int]] = set()
        self.rooms: dict[tuple[int, int], set[int]] = defaultdict(set)
        for p in placements.values():
            self.add(facts.cases[p.case], p)

    def of(self, case: CaseFacts, seg: Segment) -> int:
        w, rooms = self.weights, self.rooms.get((case.surgeon, seg.day), set())
        cost = case.day_cost(seg.day, w.late_day)
        if (seg.room, seg.day) not in self.opened:
            cost += w.room_day
        if rooms and seg.room not in rooms:
            cost += w.surgeon_extra_room
        return cost

    def add(self, case: CaseFacts, p: Placement) -> None:
        day = self.facts.timeline.day_of(p.start)
        self.opened.add((p.room, day))
        self.rooms[case.surgeon, day].add(p.room)


def trivial_report(objective: int, started: float) -> SolverReport:
    """Every objective term is non-negative, so zero is the only bound a greedy can claim."""
    return SolverReport(
        status=SolverStatus.OPTIMAL if objective == 0 else SolverStatus.FEASIBLE,
        objective=objective,
        best_bound=0,
        gap=1.0 if objective > 0 else 0.0,
        wall_time_seconds=round(time.monotonic() - started, 3),
    )
