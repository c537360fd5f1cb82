"""The objective a plan is judged by, and its KPIs; one definition for every planner.

Objective (minimized, integer): unscheduled cases by priority; per placed case the days waited
beyond its earliest date (by priority) and the days late after its due date, and its start
delay cost per minute after the horizon's start; per booked case moved or dropped (its own move
weight, else `moved_case`); per case outside its own block when blocks are not respected; per
room-day opened, plus its open minutes left idle; per extra room a surgeon works in on a day;
overtime minutes. Locked cases only count through the room time and rooms they occupy.

KPIs: utilization is occupied room minutes (setup, surgery and cleanup, inside open hours) over
all open room minutes of the horizon; idle minutes are open minutes left unused in the room-days
that have at least one case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from contracts.planning import PlanKpis

from optimizer_service.domain.calendar import Window, block_owner, case_owners
from optimizer_service.domain.facts import Facts
from optimizer_service.domain.ledger import Placement


@dataclass(frozen=True, slots=True)
class Score:
    objective: int
    kpis: PlanKpis


def _overlap(windows: list[Window], start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in windows)


def score(facts: Facts, placements: dict[int, Placement]) -> Score:
    weights = facts.problem.objective_weights
    objective = 0
    room_day_windows: dict[tuple[int, int], list[Window]] = defaultdict(list)
    for segment in facts.segments:
        room_day_windows[segment.room, segment.day].append((segment.start, segment.end))
    booked: dict[tuple[int, int], int] = defaultdict(int)
    surgeon_rooms: dict[tuple[int, int], set[int]] = defaultdict(set)
    overtime = late = moved = move_cost = surgery = 0
    for p in placements.values():
        case = facts.cases[p.case]
        c = case.case
        day = facts.timeline.day_of(p.start)
        if not 0 <= day < facts.timeline.days:
            continue  # a locked booking outside the horizon is not this plan's business
        occupied = (p.start - c.setup_minutes, p.end + c.cleanup_minutes)
        inside = _overlap(room_day_windows.get((p.room, day), []), *occupied)
        booked[p.room, day] += inside
        overtime += occupied[1] - occupied[0] - inside
        surgeon_rooms[case.surgeon, day].add(p.room)
        surgery += p.end - p.start
        if case.locked:
            continue
        objective += case.day_cost(day, weights.late_day) + _off_block(facts, p)
        objective += case.delay_cost * p.start
        late += case.due_day is not None and day > case.due_day
        if case.booked and (case.booked.room, case.booked.start) != (p.room, p.start):
            moved += 1
            move_cost += case.move_cost
    for case in facts.cases:
        if case.index not in placements:
            objective += case.unscheduled_cost
            moved += case.booked is not None
            move_cost += case.move_cost * (case.booked is not None)
    idle = sum(
        _overlap(room_day_windows[key], 0, facts.timeline.end) - b for key, b in booked.items()
    )
    extra_rooms = sum(len(rooms) - 1 for rooms in surgeon_rooms.values())
    objective += (
        move_cost
        + weights.room_day * len(booked)
        + weights.idle_minute * idle
        + weights.surgeon_extra_room * extra_rooms
        + weights.overtime_minute * overtime
    )
    open_minutes = sum(s.length for s in facts.segments)
    booked_minutes = sum(booked.values())
    kpis = PlanKpis(
        scheduled_cases=len(placements),
        unscheduled_cases=len(facts.cases) - len(placements),
        utilization=round(booked_minutes / open_minutes, 6) if open_minutes else 0.0,
        idle_minutes=idle,
        overtime_minutes=overtime,
        moved_cases=moved,
        late_cases=late,
        booked_minutes=booked_minutes,
        open_minutes=open_minutes,
        surgery_minutes=surgery,
        room_days_opened=len(booked),
    )
    return Score(objective, kpis)


def _off_block(facts: Facts, p: Placement) -> int:
    if facts.problem.respect_blocks or not facts.problem.blocks:
        return 0
    case = facts.cases[p.case]
    owners = case_owners(case.case.surgeon_id, case.case.specialty)
    room_id = facts.room_ids[p.room]
    own = facts.timeline.windows(
        b for b in facts.problem.blocks if b.room_id == room_id and block_owner(b) in owners
    )
    c = case.case
    start, end = p.start - c.setup_minutes, p.end + c.cleanup_minutes
    inside = any(a <= start and end <= b for a, b in own)
    return 0 if inside else facts.problem.objective_weights.off_block_case
