"""Building an optimization problem from the database: the cases asked for, and their world.

The cases are those asked for, or by default those `planning_cases` chooses: the waiting cases
the chosen rooms could take, most urgent first and as many as the rooms could plausibly hold,
and the cases booked in the horizon in those rooms. Their world is what `planning_resources`
reads: rooms, the people and units that could serve them, and blocks, with the time they may
offer. Every time in the problem is UTC and starts no earlier than now: a plan never looks back.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.scheduling_surgeries import Booking
from contracts.planning import (
    CurrentBooking,
    Horizon,
    OptimizationProblem,
    PlanningCase,
    UnscheduledCase,
)
from contracts.vocabulary import StaffRequirement, StaffRole
from pydantic import ValidationError
from servicekit.problems import Problem
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.cases import cases
from scheduling_service.planning import planning_cases, planning_horizon, planning_resources
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.read_model import resources_view


@dataclass(frozen=True, slots=True)
class Built:
    problem: OptimizationProblem
    case_versions: dict[uuid.UUID, int]
    # Cases asked for that no plan could place, kept out before solving, and why.
    left_out: tuple[UnscheduledCase, ...]
    # How the default cases were chosen; None when the cases were named.
    default: dict[str, int] | None = None


async def build(session: AsyncSession, ask: Ask, *, timezone: str, now: datetime) -> Built:
    tz = ZoneInfo(timezone)
    horizon = _horizon(ask, tz, now)
    rooms = await chosen_rooms(session, ask.room_ids)
    chosen = await planning_cases.chosen(session, ask, horizon, rooms)
    rows = chosen.rows
    current = await cases.bookings_of(session, [r.surgery_id for r in rows])
    planning_cases.check_booked_in_horizon(rows, current, horizon, ask.locked_ids)
    world = await planning_resources.gather(
        session, horizon, rooms, _needs(rows), respect_blocks=ask.respect_blocks
    )
    planned = [row for row in rows if row.surgeon_id in world.surgeons]
    left_out = chosen.left_out + tuple(
        _without_surgeon(r) for r in rows if r.surgeon_id not in world.surgeons
    )
    if not planned:
        raise Problem(422, _nothing_to_plan(rows, left_out), left_out=_ids(left_out))
    problem = _problem(
        ask,
        timezone,
        [_planning_case(row, current.get(row.surgery_id), ask) for row in planned],
        world,
    )
    versions = {row.surgery_id: row.version for row in planned}
    return Built(problem, versions, left_out, chosen.default)


def _needs(rows: Sequence[Row[Any]]) -> planning_resources.Needs:
    """What the cases need, each with the shortest surgery needing it: time shorter than that
    serves none of them."""
    roles: dict[StaffRole, int] = {}
    surgeons: dict[uuid.UUID, int] = {}
    types: dict[str, int] = {}
    people: Counter[StaffRole] = Counter()
    for row in rows:
        minutes = row.expected_duration_minutes
        for needed in row.staff_roles_needed:
            role = StaffRole(needed["role"])
            roles[role] = min(roles.get(role, minutes), minutes)
            people[role] += needed.get("count", 1)
        surgeons[row.surgeon_id] = min(surgeons.get(row.surgeon_id, minutes), minutes)
        for kind in row.equipment_types:
            types[kind] = min(types.get(kind, minutes), minutes)
    return planning_resources.Needs(
        case_ids=tuple(r.surgery_id for r in rows),
        roles=roles,
        surgeons=surgeons,
        equipment_types=types,
        people_needed=people,
        units_needed=Counter(kind for row in rows for kind in row.equipment_types),
    )


def _horizon(ask: Ask, tz: ZoneInfo, now: datetime) -> planning_horizon.Horizon:
    today = now.astimezone(tz).date()
    if ask.first < today:
        raise Problem(
            422, f"The horizon starts on {ask.first}, before today ({today}); plan from today on."
        )
    days = resources_view.whole_days(ask.first, ask.last, tz)
    window = Span(max(days.start, now), days.end)
    return planning_horizon.Horizon(ask.first, ask.last, window)


async def chosen_rooms(
    session: AsyncSession, room_ids: Sequence[uuid.UUID] | None
) -> list[OperatingRoomUpserted]:
    if room_ids is None:
        known = await resources_view.rooms_by_id(session)
        chosen = [r for r in known.values() if r.retired_at is None and r.status != "retired"]
        if not chosen:
            raise Problem(422, "There is no operating room in service to plan.")
        return sorted(chosen, key=lambda r: r.code)
    known = await resources_view.rooms_by_id(session, room_ids)
    if unknown := [str(i) for i in room_ids if i not in known]:
        raise Problem(422, f"Unknown operating rooms: {', '.join(unknown)}.", room_ids=unknown)
    retired = [str(i) for i in room_ids if known[i].retired_at is not None]
    if retired:
        raise Problem(422, f"Retired operating rooms: {', '.join(retired)}.", room_ids=retired)
    return [known[i] for i in room_ids]


def _planning_case(row: Row[Any], booking: Booking | None, ask: Ask) -> PlanningCase:
    case_id = row.surgery_id
    return PlanningCase(
        case_id=row.surgery_id,
        surgeon_id=row.surgeon_id,
        specialty=row.specialty,
        duration_minutes=row.expected_duration_minutes,
        setup_minutes=row.setup_minutes,
        cleanup_minutes=row.cleanup_minutes,
        priority=row.priority,
        earliest_date=row.earliest_date,
        due_date=row.due_date,
        required_capabilities=tuple(row.required_capabilities),
        equipment_types=tuple(row.equipment_types),
        staff_roles_needed=tuple(
            StaffRequirement.model_validate(r) for r in row.staff_roles_needed
        ),
        current_booking=_current(booking, row.surgeon_id),
        locked=case_id in ask.locked_ids,
        move_weight=ask.move_weights.get(case_id),
        start_delay_per_minute=ask.start_delays.get(case_id),
    )


def _current(booking: Booking | None, surgeon_id: uuid.UUID) -> CurrentBooking | None:
    """The booking as the optimizer reads it: its people besides the (implicit) surgeon."""
    if booking is None:
        return None
    return CurrentBooking(
        room_id=booking.room_id,
        start=booking.start,
        end=booking.end,
        staff_ids=tuple(a.staff_id for a in booking.staff if a.staff_id != surgeon_id),
        equipment_unit_ids=booking.equipment_unit_ids,
    )


def _without_surgeon(row: Row[Any]) -> UnscheduledCase:
    return UnscheduledCase(
        case_id=row.surgery_id,
        reason="no_staff",
        detail=f"Its surgeon {row.surgeon_id} is not an active surgeon with time in the horizon "
        "while a chosen room is open.",
    )


def _nothing_to_plan(rows: Sequence[Row[Any]], left_out: Sequence[UnscheduledCase]) -> str:
    if rows:
        return (
            f"There is no case to plan: the surgeons of all {len(rows)} cases asked for have no "
            "time in the horizon while a chosen room is open."
        )
    if left_out:
        return (
            "There is no case to plan: the chosen rooms' free time in the horizon cannot hold "
            f"any of the {len(left_out)} mandatory cases that could use them (`left_out`)."
        )
    return (
        "There is no case to plan: no waiting case fits the chosen rooms in the horizon (their "
        "capabilities and blocks, its surgeon's time, its earliest date) and none is booked in it."
    )


def _problem(
    ask: Ask, timezone: str, planning_cases: list[PlanningCase], world: planning_resources.World
) -> OptimizationProblem:
    try:
        return OptimizationProblem(
            horizon=Horizon(start_date=ask.first, end_date=ask.last, timezone=timezone),
            cases=tuple(planning_cases),
            rooms=tuple(world.rooms),
            staff=tuple(world.staff),
            equipment_units=tuple(world.units),
            blocks=tuple(world.blocks),
            objective_weights=ask.objective_weights,
            time_limit_seconds=ask.time_limit_seconds,
            respect_blocks=ask.respect_blocks,
        )
    except ValidationError as exc:
        # The contract's bounds (5,000 cases, 500 rooms, ...) or a read model gone inconsistent.
        raise Problem(
            422, f"The problem cannot be built as the optimizer takes it: {_first_error(exc)}"
        ) from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def _ids(left_out: Sequence[UnscheduledCase]) -> list[str]:
    return [str(u.case_id) for u in left_out]
