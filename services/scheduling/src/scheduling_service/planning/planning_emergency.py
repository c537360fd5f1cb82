"""An emergency insertion's ask, read from the database: today (or tomorrow too), the emergency
cases with their start delay cost, and the booked cases it keeps or re-plans, confirmed ones at
a heavier move weight (`domain.emergency_insertion` decides).

The ask it returns names its cases and locks, so `planning_problem.build` builds the problem as
for any named cases, from now plus the margin on.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.planning import ObjectiveWeights
from servicekit import date_ranges
from servicekit.problems import Problem
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import bookings, staff_assignments, surgery_requests
from scheduling_service.domain import emergency_insertion as insertion
from scheduling_service.domain.lifecycle import HOLDING, WAITING
from scheduling_service.planning import planning_problem
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.read_model import resources_view

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class EmergencyAsk:
    """What a coordinator asked to insert: the emergencies, and the options of any ask."""

    surgery_ids: tuple[uuid.UUID, ...]
    room_ids: tuple[uuid.UUID, ...] | None = None
    locked_ids: frozenset[uuid.UUID] = frozenset()
    respect_blocks: bool = False
    time_limit_seconds: float = insertion.TIME_LIMIT_SECONDS
    objective_weights: ObjectiveWeights = field(default_factory=lambda: insertion.WEIGHTS)


@dataclass(frozen=True, slots=True)
class Insertion:
    ask: Ask
    not_before: datetime
    step: insertion.Step
    sides: insertion.Sides

    def summary(self, emergency_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
        """What the optimization's options say of the insertion."""
        return {
            "surgery_ids": [str(i) for i in emergency_ids],
            "not_before": self.not_before.isoformat(),
            "days": self.step.days,
            "kept": [str(i) for i in self.sides.kept],
            "replanned": [str(i) for i in self.sides.replanned],
            "confirmed": [str(i) for i in self.sides.confirmed],
            "confirmed_move_weight": insertion.CONFIRMED_MOVE_WEIGHT,
            "start_delay_per_minute": insertion.START_DELAY_PER_MINUTE,
        }


async def insertion_of(
    session: AsyncSession, asked: EmergencyAsk, *, timezone: str, now: datetime
) -> Insertion:
    tz = ZoneInfo(timezone)
    not_before = now + insertion.MARGIN
    today = not_before.astimezone(tz).date()
    emergencies = await _emergencies(session, asked.surgery_ids, today + _DAY)
    rooms = await planning_problem.chosen_rooms(session, asked.room_ids)
    windows = {
        days: Span(not_before, resources_view.whole_days(today, today + (days - 1) * _DAY, tz).end)
        for days in (1, 2)
    }
    booked = await _booked(session, rooms, windows[2])
    surgeons = await _surgeons(session, {r.surgeon_id for r in emergencies}, windows[2], today)
    step = insertion.first_step(
        [_need(r, tz) for r in emergencies], windows, _rooms(rooms, today), booked, surgeons
    )
    sides = insertion.split(booked, windows[step.days])
    mine = set(asked.locked_ids)
    ask = Ask(
        first=today,
        last=today + (step.days - 1) * _DAY,
        room_ids=asked.room_ids,
        surgery_ids=(
            *asked.surgery_ids,
            *(i for i in sides.replanned if i not in mine),
        ),
        locked_ids=frozenset(mine),
        respect_blocks=asked.respect_blocks,
        time_limit_seconds=asked.time_limit_seconds,
        objective_weights=asked.objective_weights,
        move_weights=sides.move_weights(),
        start_delays=dict.fromkeys(asked.surgery_ids, insertion.START_DELAY_PER_MINUTE),
    )
    return Insertion(ask, not_before, step, sides)


async def _emergencies(
    session: AsyncSession, ids: Sequence[uuid.UUID], last: date
) -> list[Row[Any]]:
    """The cases to insert; 422 unless each exists, waits, is not elective and may start by
    `last` (tomorrow)."""
    rows = list(
        await session.execute(
            select(surgery_requests).where(surgery_requests.c.surgery_id.in_(list(ids)))
        )
    )
    found = {r.surgery_id: r for r in rows}
    if unknown := [str(i) for i in ids if i not in found]:
        raise Problem(422, f"Unknown surgery requests: {', '.join(unknown)}.", surgery_ids=unknown)
    if booked := [str(i) for i in ids if found[i].status not in WAITING]:
        raise Problem(
            422,
            "Only a waiting case (requested, postponed) can be inserted as an emergency; these "
            f"are not: {', '.join(booked)}.",
            surgery_ids=booked,
        )
    if elective := [str(i) for i in ids if found[i].priority not in insertion.INSERTED_PRIORITIES]:
        raise Problem(
            422,
            "Only an emergency or urgent case can be inserted; these are elective: "
            f"{', '.join(elective)}. Plan them with a default optimization.",
            surgery_ids=elective,
        )
    if later := [str(i) for i in ids if (found[i].earliest_date or last) > last]:
        raise Problem(
            422,
            f"These cases may not start by tomorrow ({last}), their earliest date: "
            f"{', '.join(later)}.",
            surgery_ids=later,
        )
    return [found[i] for i in ids]


def _need(row: Row[Any], tz: ZoneInfo) -> insertion.Need:
    earliest = row.earliest_date
    return insertion.Need(
        case_id=row.surgery_id,
        surgeon_id=row.surgeon_id,
        capabilities=frozenset(row.required_capabilities),
        room_minutes=row.setup_minutes + row.expected_duration_minutes + row.cleanup_minutes,
        not_before=resources_view.whole_days(earliest, earliest, tz).start if earliest else None,
    )


def _rooms(rooms: Sequence[OperatingRoomUpserted], today: date) -> list[insertion.Room]:
    return [
        insertion.Room(
            room_id=r.room_id,
            capabilities=frozenset(r.capabilities),
            open=tuple(resources_view.room_open(r, today - _DAY, today + 2 * _DAY)),
        )
        for r in rooms
    ]


async def _booked(
    session: AsyncSession, rooms: Sequence[OperatingRoomUpserted], window: Span
) -> list[insertion.Booked]:
    """Every booking holding a chosen room in the window, whatever its case's status."""
    query = (
        select(
            bookings.c.surgery_id,
            bookings.c.room_id,
            bookings.c.starts_at,
            bookings.c.room_period,
            surgery_requests.c.status,
        )
        .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
        .where(
            bookings.c.room_id.in_([r.room_id for r in rooms]),
            bookings.c.room_period.overlaps(date_ranges.period(window.start, window.end)),
            surgery_requests.c.status.in_([s.value for s in HOLDING]),
        )
    )
    return [
        insertion.Booked(
            case_id=row.surgery_id,
            status=row.status,
            room_id=row.room_id,
            start=row.starts_at,
            held=Span(row.room_period.lower, row.room_period.upper),
        )
        for row in await session.execute(query)
    ]


async def _surgeons(
    session: AsyncSession, ids: Collection[uuid.UUID], window: Span, today: date
) -> dict[uuid.UUID, tuple[list[Span], list[insertion.Busy]]]:
    """Each surgeon's working time near the window, and the bookings holding them in it."""
    busy: dict[uuid.UUID, list[insertion.Busy]] = defaultdict(list)
    query = select(staff_assignments).where(
        staff_assignments.c.staff_id.in_(list(ids)),
        staff_assignments.c.period.overlaps(date_ranges.period(window.start, window.end)),
    )
    for row in await session.execute(query):
        span = Span(row.period.lower, row.period.upper)
        busy[row.staff_id].append(insertion.Busy(row.surgery_id, span))
    members = await resources_view.staff_by_id(session, ids)
    return {
        staff_id: (
            resources_view.staff_available(member, today - _DAY, today + 2 * _DAY),
            busy[staff_id],
        )
        for staff_id, member in members.items()
    }
