"""An independent plan checker: every hard rule, read straight from the problem, no solver code.

A locked case must sit exactly at its booking and is otherwise taken as given; every other
placed case must follow every rule. Empty staff or unit availability means always available.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

from contracts.planning import CaseAssignment, OptimizationProblem, Plan, PlanningCase
from contracts.vocabulary import StaffRole, SurgeryPriority

Span = tuple[datetime, datetime]


class Flag(Protocol):
    """Records a violation of the case being checked, naming the resources involved."""

    def __call__(self, code: str, message: str, *resources: uuid.UUID) -> None: ...


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    message: str
    case_ids: tuple[uuid.UUID, ...] = ()
    resource_ids: tuple[uuid.UUID, ...] = ()


def check_plan(problem: OptimizationProblem, plan: Plan) -> list[Violation]:
    cases = {c.case_id: c for c in problem.cases}
    violations = _coverage(problem, plan)
    known = [a for a in plan.assignments if a.case_id in cases]
    for a in known:
        violations += _case_rules(problem, cases[a.case_id], a)
    violations += _double_bookings(problem, cases, known)
    violations += _daily_maxima(problem, cases, known)
    return violations


def _coverage(problem: OptimizationProblem, plan: Plan) -> list[Violation]:
    placed = {a.case_id for a in plan.assignments}
    listed = placed | {u.case_id for u in plan.unscheduled}
    out = [
        Violation("unknown_case", f"case {i} is not in the problem", (i,))
        for i in listed - {c.case_id for c in problem.cases}
    ]
    for case in problem.cases:
        if case.case_id not in listed:
            out.append(
                Violation(
                    "missing_case", f"case {case.case_id} is not in the plan", (case.case_id,)
                )
            )
        elif case.case_id not in placed and is_mandatory(problem, case):
            out.append(
                Violation(
                    "mandatory_unscheduled",
                    f"mandatory case {case.case_id} is left out",
                    (case.case_id,),
                )
            )
        elif case.locked and case.case_id not in placed:
            out.append(
                Violation(
                    "locked_moved", f"locked case {case.case_id} was dropped", (case.case_id,)
                )
            )
    return out


def is_mandatory(problem: OptimizationProblem, case: PlanningCase) -> bool:
    """Emergency and urgent cases, and cases already past due, unless they may not start yet."""
    horizon = problem.horizon
    if case.earliest_date is not None and case.earliest_date > horizon.end_date:
        return False
    past_due = case.due_date is not None and case.due_date < horizon.start_date
    return case.priority != SurgeryPriority.ELECTIVE or past_due


def _case_rules(
    problem: OptimizationProblem, case: PlanningCase, a: CaseAssignment
) -> list[Violation]:
    ids = (case.case_id,)
    if case.locked:
        same = (
            case.current_booking is not None
            and case.current_booking.model_dump() == a.model_dump(exclude={"case_id"})
        )
        return (
            []
            if same
            else [Violation("locked_moved", f"locked case {case.case_id} was moved", ids)]
        )
    found = []

    def flag(code: str, message: str, *resources: uuid.UUID) -> None:
        found.append(Violation(code, f"case {case.case_id}: {message}", ids, resources))

    if a.end - a.start != timedelta(minutes=case.duration_minutes):
        flag("wrong_duration", "surgery does not last its expected duration")
    _dates(problem, case, a, flag)
    _room(problem, case, a, flag)
    _people(problem, case, a, flag)
    _equipment(problem, case, a, flag)
    return found


def occupied(case: PlanningCase, a: CaseAssignment) -> Span:
    return (
        a.start - timedelta(minutes=case.setup_minutes),
        a.end + timedelta(minutes=case.cleanup_minutes),
    )


def local_date(problem: OptimizationProblem, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(problem.horizon.timezone)).date()


def _dates(problem: OptimizationProblem, case: PlanningCase, a: CaseAssignment, flag: Flag) -> None:
    day = local_date(problem, a.start)
    if not problem.horizon.start_date <= day <= problem.horizon.end_date:
        flag("outside_horizon", f"starts on {day}, outside the horizon")
    if case.earliest_date and day < case.earliest_date:
        flag(
            "before_earliest_date",
            f"starts on {day}, before its earliest date {case.earliest_date}",
        )


def _within(spans: list[Span], start: datetime, end: datetime) -> bool:
    return any(a <= start and end <= b for a, b in _merged(spans))


def _merged(spans: list[Span]) -> list[Span]:
    out: list[list[datetime]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _room(problem: OptimizationProblem, case: PlanningCase, a: CaseAssignment, flag: Flag) -> None:
    room = next(r for r in problem.rooms if r.room_id == a.room_id)
    start, end = occupied(case, a)
    if not _within([(w.start, w.end) for w in room.open_intervals], start, end):
        flag(
            "outside_open_hours",
            "room time (setup to cleanup) is not inside one open interval",
            room.room_id,
        )
    missing = set(case.required_capabilities) - set(room.capabilities)
    if missing:
        flag("missing_capability", f"room lacks {', '.join(sorted(missing))}", room.room_id)
    if problem.respect_blocks and not _in_allowed_block_time(problem, case, a.room_id, start, end):
        flag("not_in_block", "room time is neither in its own block nor unblocked", room.room_id)


def _in_allowed_block_time(
    problem: OptimizationProblem,
    case: PlanningCase,
    room_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> bool:
    blocks = [b for b in problem.blocks if b.room_id == room_id and b.start < end and b.end > start]
    if not blocks:
        return True
    own = [
        (b.start, b.end)
        for b in blocks
        if b.surgeon_id == case.surgeon_id
        or (b.service is not None and b.service == case.specialty)
    ]
    return _within(own, start, end)


def _people(
    problem: OptimizationProblem, case: PlanningCase, a: CaseAssignment, flag: Flag
) -> None:
    staff = {s.staff_id: s for s in problem.staff}
    if case.surgeon_id in a.staff_ids:
        flag(
            "staff_mismatch", "its surgeon is also listed among the assigned staff", case.surgeon_id
        )
    for person in (case.surgeon_id, *a.staff_ids):
        member = staff.get(person)
        if member is None:
            flag("unknown_staff", f"staff member {person} is not in the problem", person)
        elif member.available_intervals and not _within(
            [(w.start, w.end) for w in member.available_intervals], a.start, a.end
        ):
            flag("staff_unavailable", f"staff member {person} is not available", person)
    roles = [[r for r in staff[s].roles] if s in staff else [] for s in a.staff_ids]
    slots = [r.role for r in case.staff_roles_needed for _ in range(r.count)]
    if len(slots) != len(a.staff_ids) or not _can_cover(roles, slots):
        flag("staff_mismatch", "assigned staff do not match the roles needed", *a.staff_ids)


def _can_cover(people_roles: list[list[StaffRole]], slots: list[StaffRole]) -> bool:
    """A perfect matching of people to role slots (augmenting paths; both sides are tiny)."""
    holder: dict[int, int] = {}

    def augment(person: int, seen: set[int]) -> bool:
        for slot, role in enumerate(slots):
            if role in people_roles[person] and slot not in seen:
                seen.add(slot)
                if slot not in holder or augment(holder[slot], seen):
                    holder[slot] = person
                    return True
        return False

    return all(augment(p, set()) for p in range(len(people_roles)))


def _equipment(
    problem: OptimizationProblem, case: PlanningCase, a: CaseAssignment, flag: Flag
) -> None:
    units = {u.unit_id: u for u in problem.equipment_units}
    types = []
    for unit_id in a.equipment_unit_ids:
        unit = units.get(unit_id)
        if unit is None:
            flag("unknown_unit", f"equipment unit {unit_id} is not in the problem", unit_id)
            continue
        types.append(unit.equipment_type)
        if unit.available_intervals and not _within(
            [(w.start, w.end) for w in unit.available_intervals], a.start, a.end
        ):
            flag("unit_unavailable", f"equipment unit {unit_id} is not available", unit_id)
    if sorted(types) != sorted(case.equipment_types):
        flag(
            "equipment_mismatch",
            "reserved units do not match the equipment needed",
            *a.equipment_unit_ids,
        )


def _double_bookings(
    problem: OptimizationProblem,
    cases: dict[uuid.UUID, PlanningCase],
    assignments: list[CaseAssignment],
) -> list[Violation]:
    turnaround = {
        u.unit_id: timedelta(minutes=u.turnaround_minutes) for u in problem.equipment_units
    }
    uses: dict[tuple[str, uuid.UUID], list[tuple[datetime, datetime, uuid.UUID]]] = defaultdict(
        list
    )
    for a in assignments:
        case = cases[a.case_id]
        uses["room", a.room_id].append((*occupied(case, a), a.case_id))
        for person in {case.surgeon_id, *a.staff_ids}:  # a booking may list its surgeon too
            uses["person", person].append((a.start, a.end, a.case_id))
        for unit in a.equipment_unit_ids:
            uses["unit", unit].append(
                (a.start, a.end + turnaround.get(unit, timedelta()), a.case_id)
            )
    found = []
    for (kind, resource), spans in uses.items():
        for (_, end1, case1), (start2, _, case2) in pairwise(sorted(spans)):
            if start2 < end1:
                found.append(
                    Violation(
                        f"{kind}_double_booked",
                        f"{kind} {resource} is booked for cases {case1} and {case2} at once",
                        (case1, case2),
                        (resource,),
                    )
                )
    return found


def _daily_maxima(
    problem: OptimizationProblem,
    cases: dict[uuid.UUID, PlanningCase],
    assignments: list[CaseAssignment],
) -> list[Violation]:
    """Over a daily maximum, with a case the plan placed: locked cases are given, so a day their
    minutes alone overrun is not the plan's doing."""
    minutes: dict[tuple[uuid.UUID, date], float] = defaultdict(float)
    placed: set[tuple[uuid.UUID, date]] = set()
    for a in assignments:
        day = local_date(problem, a.start)
        case = cases[a.case_id]
        for person in {case.surgeon_id, *a.staff_ids}:
            minutes[person, day] += (a.end - a.start).total_seconds() / 60
            if not case.locked:
                placed.add((person, day))
    members = {m.staff_id: m for m in problem.staff}

    def limit(person: uuid.UUID, day: date) -> int | None:
        member = members.get(person)
        if member is None:
            return None
        most: int | None = member.max_minutes_by_date.get(day, member.max_minutes_per_day)
        return most

    return [
        Violation(
            "over_daily_maximum",
            f"staff member {person} works {total:.0f} minutes on {day}, over {limit(person, day)}",
            resource_ids=(person,),
        )
        for (person, day), total in minutes.items()
        if (person, day) in placed and (most := limit(person, day)) is not None and total > most
    ]
