"""Who and what is open over a range of local dates: a few set-based reads, then the domain rules.

Each kind takes a fixed number of queries whatever its size (the entities, then all their dated
windows in the range; for rooms also their blocks and releases), all in one snapshot of the
database, so rooms, blocks, staff and units agree with each other.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.availability import (
    HoursException,
    daily_open_minutes,
    room_open_spans,
    staff_available_spans,
    unit_available_spans,
)
from contracts.calendar.blocks import occurrences
from contracts.calendar.spans import Span
from contracts.calendar.wallclock import range_span
from contracts.values import WeeklyHours
from servicekit.date_ranges import ensure_date_range, period
from servicekit.db import repeatable_read
from sqlalchemy import Row, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service.db.tables import (
    block_releases,
    blocks,
    equipment,
    equipment_units,
    operating_rooms,
    room_exceptions,
    staff_absences,
    staff_members,
    unit_maintenance,
)
from resources_service.domain.block_rules import stored_pattern

KINDS = ("rooms", "staff", "equipment")


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    first: date
    last: date
    kinds: frozenset[str] = frozenset(KINDS)
    room_ids: tuple[uuid.UUID, ...] = ()
    staff_ids: tuple[uuid.UUID, ...] = ()
    unit_ids: tuple[uuid.UUID, ...] = ()
    role: str | None = None
    equipment_type: str | None = None


@dataclass(frozen=True, slots=True)
class BlockOccurrence:
    block: Row[Any]
    span: Span


@dataclass(frozen=True, slots=True)
class RoomCalendar:
    room: Row[Any]
    open: list[Span]
    blocks: list[BlockOccurrence]
    daily_open_minutes: dict[date, int]


@dataclass(frozen=True, slots=True)
class Available:
    """A staff member or an equipment unit (joined with its equipment) and its usable time."""

    row: Row[Any]
    spans: list[Span]


@dataclass(frozen=True, slots=True)
class Calendar:
    window: Span
    rooms: list[RoomCalendar] = field(default_factory=list)
    staff: list[Available] = field(default_factory=list)
    units: list[Available] = field(default_factory=list)


async def calendar(
    session: AsyncSession, query: AvailabilityQuery, *, timezone: str, max_days: int
) -> Calendar:
    ensure_date_range(query.first, query.last, max_days)
    # One snapshot for every read below; nothing is written.
    await repeatable_read(session, read_only=True)
    tz = ZoneInfo(timezone)
    window = range_span(query.first, query.last, tz)
    return Calendar(
        window=window,
        rooms=await _rooms(session, query, tz, window) if "rooms" in query.kinds else [],
        staff=await _staff(session, query, tz, window) if "staff" in query.kinds else [],
        units=await _units(session, query, window) if "equipment" in query.kinds else [],
    )


async def _rooms(
    session: AsyncSession, query: AvailabilityQuery, tz: ZoneInfo, window: Span
) -> list[RoomCalendar]:
    statement = select(operating_rooms).where(operating_rooms.c.retired_at.is_(None))
    if query.room_ids:
        statement = statement.where(operating_rooms.c.room_id.in_(query.room_ids))
    rooms = (await session.execute(statement.order_by(operating_rooms.c.code))).all()
    ids = [room.room_id for room in rooms]
    exceptions = await _windows_of(session, room_exceptions, "room_id", ids, window)
    held = await _block_occurrences(session, ids, query, tz)

    # Rooms (and people) often share one pattern: each distinct calendar is worked out once.
    @functools.cache
    def open_time(
        hours: WeeklyHours, changes: tuple[HoursException, ...], status: str
    ) -> tuple[list[Span], dict[date, int]]:
        spans = room_open_spans(
            hours, changes, status=status, tz=tz, first=query.first, last=query.last
        )
        return spans, daily_open_minutes(spans, tz)

    found = []
    for room in rooms:
        changes = tuple(
            HoursException(e.kind, *_bounds(e, window)) for e in exceptions[room.room_id]
        )
        hours = WeeklyHours.model_validate(room.weekly_hours)
        spans, minutes = open_time(hours, changes, room.status)
        found.append(RoomCalendar(room, spans, held[room.room_id], minutes))
    return found


async def _block_occurrences(
    session: AsyncSession, room_ids: list[uuid.UUID], query: AvailabilityQuery, tz: ZoneInfo
) -> defaultdict[uuid.UUID, list[BlockOccurrence]]:
    live = (
        await session.execute(
            select(blocks)
            .where(
                blocks.c.room_id.in_(room_ids),
                blocks.c.retired_at.is_(None),
                blocks.c.valid_from <= query.last,
                blocks.c.valid_to.is_(None) | (blocks.c.valid_to >= query.first),
            )
            .order_by(blocks.c.start_time, blocks.c.block_id)
        )
    ).all()
    released: defaultdict[uuid.UUID, set[date]] = defaultdict(set)
    for row in await session.execute(
        select(block_releases.c.block_id, block_releases.c.occurrence_date).where(
            block_releases.c.block_id.in_([b.block_id for b in live]),
            block_releases.c.occurrence_date.between(query.first, query.last),
        )
    ):
        released[row.block_id].add(row.occurrence_date)
    held: defaultdict[uuid.UUID, list[BlockOccurrence]] = defaultdict(list)
    for block in live:
        pattern = stored_pattern(block, released[block.block_id])
        found = occurrences(pattern, tz, query.first, query.last)
        held[block.room_id].extend(BlockOccurrence(block, span) for _, span in found)
    for room_blocks in held.values():
        room_blocks.sort(key=lambda o: (o.span, o.block.block_id))
    return held


async def _staff(
    session: AsyncSession, query: AvailabilityQuery, tz: ZoneInfo, window: Span
) -> list[Available]:
    statement = select(staff_members).where(staff_members.c.retired_at.is_(None))
    if query.staff_ids:
        statement = statement.where(staff_members.c.staff_id.in_(query.staff_ids))
    if query.role:
        statement = statement.where(staff_members.c.role == query.role)
    people = (
        await session.execute(statement.order_by(staff_members.c.name, staff_members.c.staff_id))
    ).all()
    ids = [person.staff_id for person in people]
    absences = await _windows_of(session, staff_absences, "staff_id", ids, window)

    @functools.cache
    def working_time(pattern: WeeklyHours, away: tuple[Span, ...], active: bool) -> list[Span]:
        return staff_available_spans(
            pattern, away, active=active, tz=tz, first=query.first, last=query.last
        )

    return [
        Available(
            person,
            working_time(
                WeeklyHours.model_validate(person.working_pattern),
                tuple(Span(*_bounds(a, window)) for a in absences[person.staff_id]),
                person.status == "active",
            ),
        )
        for person in people
    ]


async def _units(session: AsyncSession, query: AvailabilityQuery, window: Span) -> list[Available]:
    units = (await session.execute(_units_statement(query))).all()
    ids = [unit.unit_id for unit in units]
    maintenance = await _windows_of(session, unit_maintenance, "unit_id", ids, window)
    return [
        Available(
            unit,
            unit_available_spans(
                [Span(*_bounds(m, window)) for m in maintenance[unit.unit_id]],
                status=unit.status,
                window=window,
            ),
        )
        for unit in units
    ]


def _units_statement(query: AvailabilityQuery) -> Select[Any]:
    statement = (
        select(
            equipment_units.c.unit_id,
            equipment_units.c.equipment_id,
            equipment_units.c.label,
            equipment_units.c.status,
            equipment_units.c.fixed_room_id,
            equipment.c.equipment_type,
            equipment.c.turnaround_minutes,
        )
        .join(equipment, equipment.c.equipment_id == equipment_units.c.equipment_id)
        .where(equipment_units.c.retired_at.is_(None), equipment.c.retired_at.is_(None))
    )
    if query.unit_ids:
        statement = statement.where(equipment_units.c.unit_id.in_(query.unit_ids))
    if query.equipment_type:
        statement = statement.where(equipment.c.equipment_type == query.equipment_type)
    return statement.order_by(
        equipment.c.equipment_type,
        equipment.c.name,
        equipment.c.equipment_id,
        equipment_units.c.position,
        equipment_units.c.unit_id,
    )


async def _windows_of(
    session: AsyncSession, table: Table, parent: str, ids: Iterable[uuid.UUID], window: Span
) -> defaultdict[uuid.UUID, list[Row[Any]]]:
    """The dated windows of all `ids` that reach into `window`, in one query, per parent."""
    rows = await session.execute(
        select(table)
        .where(
            table.c[parent].in_(list(ids)),
            table.c.period.overlaps(period(window.start, window.end)),
        )
        .order_by(table.c.period)
    )
    found: defaultdict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[getattr(row, parent)].append(row)
    return found


def _bounds(row: Row[Any], window: Span) -> tuple[Any, Any]:
    # An unbounded side of a stored range reaches past the window in that direction.
    return row.period.lower or window.start, row.period.upper or window.end
