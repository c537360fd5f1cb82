"""The problem in whole minutes: each case's needs, costs and the segments it may go to.

Staff members and equipment units without availability intervals are available throughout the
horizon; one whose intervals all lie outside the horizon is not available in it. A room without
open intervals is closed. Staff (the surgeon too) are busy for the
surgery proper; a room for setup, surgery and cleanup; an equipment unit for the surgery and its
turnaround after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from contracts.planning import OptimizationProblem, PlanningCase
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRole, SurgeryPriority

from optimizer_service.domain.calendar import (
    Segment,
    Timeline,
    Window,
    case_owners,
    room_segments,
)

NEVER = 10**6


@dataclass(frozen=True, slots=True)
class Booked:
    """A case's current booking in minutes."""

    room: int
    start: int
    end: int
    day: int
    staff: tuple[int, ...]
    units: tuple[int, ...]


@dataclass(slots=True)
class CaseFacts:
    index: int
    case: PlanningCase
    surgeon: int
    occupied: int
    mandatory: bool
    first_day: int  # the first day it may be placed on (earliest date or the horizon's start)
    due_day: int | None
    unscheduled_cost: int
    waiting_cost: int  # per day
    roles: tuple[tuple[StaffRole, int], ...]
    unit_types: tuple[str, ...]
    booked: Booked | None
    locked: bool
    move_cost: int  # moving or dropping its current booking
    delay_cost: int  # per minute its start lies after the horizon's start
    segments: list[int] = field(default_factory=list)

    @property
    def duration(self) -> int:
        return self.case.duration_minutes

    @property
    def setup(self) -> int:
        return self.case.setup_minutes

    def day_cost(self, day: int, late_day: int) -> int:
        late = max(0, day - self.due_day) if self.due_day is not None else 0
        return self.waiting_cost * (day - self.first_day) + late_day * late


@dataclass(slots=True)
class Facts:
    problem: OptimizationProblem
    timeline: Timeline
    segments: list[Segment]
    cases: list[CaseFacts]
    staff_windows: list[list[Window]]
    staff_roles: list[frozenset[StaffRole]]
    staff_daily_max: list[int]  # on days without a maximum of their own (`staff_day_max`)
    staff_day_max: list[dict[int, int]]  # day index -> maximum, where the problem gives one
    unit_windows: list[list[Window]]
    unit_types: list[str]
    unit_turnaround: list[int]
    room_ids: list[uuid.UUID]
    staff_ids: list[uuid.UUID]
    unit_ids: list[uuid.UUID]

    def daily_max(self, person: int, day: int) -> int:
        """The most surgery minutes a person may work on a day of the horizon."""
        return self.staff_day_max[person].get(day, self.staff_daily_max[person])

    def staff_for(self, role: StaffRole, surgeon: int) -> list[int]:
        return [s for s, roles in enumerate(self.staff_roles) if role in roles and s != surgeon]

    def units_for(self, unit_type: str) -> list[int]:
        return [u for u, t in enumerate(self.unit_types) if t == unit_type]

    def open_minutes(self, room: int, day: int) -> int:
        return sum(s.length for s in self.segments if s.room == room and s.day == day)


def build_facts(problem: OptimizationProblem) -> Facts:
    timeline = Timeline.of(problem.horizon)
    segments: list[Segment] = []
    for r, room in enumerate(problem.rooms):
        blocks = [b for b in problem.blocks if b.room_id == room.room_id]
        segments += room_segments(timeline, r, room, blocks, split_by_blocks=problem.respect_blocks)
    facts = Facts(
        problem=problem,
        timeline=timeline,
        segments=segments,
        cases=[],
        staff_windows=[_available(timeline, s.available_intervals) for s in problem.staff],
        staff_roles=[frozenset(s.roles) for s in problem.staff],
        staff_daily_max=[s.max_minutes_per_day or 24 * 60 for s in problem.staff],
        staff_day_max=[
            {timeline.day_index(d): m for d, m in s.max_minutes_by_date.items()}
            for s in problem.staff
        ],
        unit_windows=[_available(timeline, u.available_intervals) for u in problem.equipment_units],
        unit_types=[u.equipment_type for u in problem.equipment_units],
        unit_turnaround=[u.turnaround_minutes for u in problem.equipment_units],
        room_ids=[r.room_id for r in problem.rooms],
        staff_ids=[s.staff_id for s in problem.staff],
        unit_ids=[u.unit_id for u in problem.equipment_units],
    )
    facts.cases = [_case_facts(facts, i, case) for i, case in enumerate(problem.cases)]
    return facts


def _available(timeline: Timeline, intervals: Sequence[UtcWindow]) -> list[Window]:
    """No intervals: always available; intervals only outside the horizon: never within it."""
    return timeline.windows(intervals) if intervals else [(0, timeline.end)]


def _case_facts(facts: Facts, index: int, case: PlanningCase) -> CaseFacts:
    problem, timeline = facts.problem, facts.timeline
    weights = problem.objective_weights
    first = max(0, timeline.day_index(case.earliest_date)) if case.earliest_date else 0
    due = timeline.day_index(case.due_date) if case.due_date else None
    past_due = due is not None and due < 0
    priority = case.priority
    mandatory = priority != SurgeryPriority.ELECTIVE or past_due
    unscheduled, waiting = {
        SurgeryPriority.ELECTIVE: (weights.unscheduled_elective, weights.waiting_day_elective),
        SurgeryPriority.URGENT: (weights.unscheduled_urgent, weights.waiting_day_urgent),
        SurgeryPriority.EMERGENCY: (weights.unscheduled_emergency, weights.waiting_day_emergency),
    }[priority]
    return CaseFacts(
        index=index,
        case=case,
        surgeon=facts.staff_ids.index(case.surgeon_id),
        occupied=case.setup_minutes + case.duration_minutes + case.cleanup_minutes,
        mandatory=mandatory and first < timeline.days,
        first_day=first,
        due_day=due,
        unscheduled_cost=unscheduled,
        waiting_cost=waiting,
        roles=tuple((r.role, r.count) for r in case.staff_roles_needed),
        unit_types=tuple(case.equipment_types),
        booked=_booked(facts, case),
        locked=case.locked,
        move_cost=weights.moved_case if case.move_weight is None else case.move_weight,
        delay_cost=case.start_delay_per_minute or 0,
    )


def _booked(facts: Facts, case: PlanningCase) -> Booked | None:
    booking = case.current_booking
    if booking is None:
        return None
    timeline = facts.timeline
    start = timeline.minute(booking.start)
    surgeon = facts.staff_ids.index(case.surgeon_id)
    staff = (facts.staff_ids.index(s) for s in booking.staff_ids)
    return Booked(
        room=facts.room_ids.index(booking.room_id),
        start=start,
        end=timeline.minute(booking.end, round_up=True),
        day=timeline.day_of(start),
        staff=tuple(s for s in staff if s != surgeon),  # the surgeon is there anyway
        units=tuple(facts.unit_ids.index(u) for u in booking.equipment_unit_ids),
    )


def allowed_in(facts: Facts, case: CaseFacts, segment: Segment) -> bool:
    """Whether blocks let a case into a segment (always, when blocks are not respected)."""
    if not facts.problem.respect_blocks or not segment.owners:
        return True
    return bool(segment.owners & case_owners(case.case.surgeon_id, case.case.specialty))
