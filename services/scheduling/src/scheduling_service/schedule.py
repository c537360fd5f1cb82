"""Day lists: the booked cases of a range of local dates, per room or for one person.

A case belongs to the local date (hospital time zone) its surgery is booked to start on. Each
list is read in a fixed number of queries whatever its size (the rooms or the person, the
cases with their surgeons, everyone assigned, every equipment unit), in one snapshot of the
database, and audited as ONE `schedule.read` entry naming every case it returned.

The room list shows, for each date, every room open that day and every room with a case that
day (so a room closed for the day but still holding a case shows up); asked for one room, that
room on every date, open or not. Cancelled and postponed cases have no booking: they are not
listed; completed, in-room, confirmed and scheduled ones are.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip
from contracts.calendar.wallclock import days, local_moment
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import audit_log, resources_view
from scheduling_service.db.tables import (
    bookings,
    equipment_units,
    equipment_usages,
    staff,
    staff_assignments,
    surgery_requests,
)

# What a day list shows of each request (its booked setup and cleanup come with the booking).
_REQUEST_COLUMNS = [
    surgery_requests.c[name]
    for name in (
        "status",
        "patient_mrn",
        "procedure_code",
        "procedure_name",
        "procedure_coding_system",
        "surgeon_id",
        "specialty",
        "anaesthesia_type",
        "priority",
        "expected_duration_minutes",
        "wheels_in",
        "wheels_out",
        "version",
    )
]


@dataclass(frozen=True, slots=True)
class DayListQuery:
    """Which list: every room (or `room_id`'s), or one person's as surgeon or as anyone."""

    first: date
    last: date
    view: str = "rooms"  # "rooms", "surgeon" or "staff"
    room_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None

    def details(self) -> dict[str, Any]:
        found: dict[str, Any] = {"view": self.view, "from": str(self.first), "to": str(self.last)}
        if self.room_id is not None:
            found["room_id"] = str(self.room_id)
        if self.staff_id is not None:
            found["staff_id"] = str(self.staff_id)
        return found


@dataclass(frozen=True, slots=True)
class ListedCase:
    """A booked case joined with its request, its room, surgeon's name, people and units."""

    row: Row[Any]
    room: OperatingRoomUpserted | None
    staff: list[Row[Any]]
    units: list[Row[Any]]

    @property
    def room_held_from(self) -> datetime:
        return self.row.starts_at - timedelta(minutes=self.row.setup_minutes)

    @property
    def room_held_until(self) -> datetime:
        return self.row.ends_at + timedelta(minutes=self.row.cleanup_minutes)


@dataclass(frozen=True, slots=True)
class RoomDay:
    room: OperatingRoomUpserted
    open: list[Span]
    cases: list[ListedCase] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DayList:
    """Per local date: the rooms in code order with their cases in start order, or, for a
    person's list, that person's cases in start order."""

    query: DayListQuery
    timezone: str
    rooms: dict[date, list[RoomDay]] = field(default_factory=dict)
    cases: dict[date, list[ListedCase]] = field(default_factory=dict)
    person: StaffMemberUpserted | None = None


def ensure_range(first: date, last: date, max_days: int) -> None:
    """A range runs from `first` to `last`, both included, at most `max_days` days; else 422."""
    if last < first:
        raise Problem(
            422,
            f"`to` {last} is before the first date {first}; a range includes both.",
            title="Invalid request",
        )
    if (last - first).days + 1 > max_days:
        raise Problem(
            422,
            f"The range {first} to {last} spans {(last - first).days + 1} days; ask for at most "
            f"{max_days} days at a time.",
            title="Invalid request",
        )


def open_time(room: OperatingRoomUpserted, first: date, last: date) -> list[Span]:
    """A room's open time on the local dates `first` to `last` as it was: a room retired since
    kept its hours until it was retired (the read model says nothing of earlier statuses)."""
    if room.retired_at is None:
        return resources_view.room_open(room, first, last)
    serving = room.model_copy(update={"retired_at": None})
    before = Span(datetime.min.replace(tzinfo=UTC), room.retired_at)
    return clip(resources_view.room_open(serving, first, last), before)


async def day_list(
    uow: UnitOfWork, reader: Principal, query: DayListQuery, *, timezone: str, max_days: int
) -> DayList:
    """The list `query` asks for; `404` for a room or person this service has never heard of."""
    ensure_range(query.first, query.last, max_days)
    session = uow.session
    # One snapshot for every read below; the audit entry is the only write.
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    tz = ZoneInfo(timezone)
    window = resources_view.whole_days(query.first, query.last, tz)
    if query.view == "rooms":
        listed = await _rooms_list(session, query, tz, window, timezone)
    else:
        listed = await _person_list(session, query, tz, window, timezone)
    await audit_log.record(
        uow,
        actor=audit_log.actor(reader),
        action="schedule.read",
        record_id=query.staff_id or query.room_id or "rooms",
        details={"query": query.details(), "surgery_ids": _ids(listed)},
    )
    await uow.commit()
    return listed


async def _rooms_list(
    session: AsyncSession, query: DayListQuery, tz: ZoneInfo, window: Span, timezone: str
) -> DayList:
    rooms = await resources_view.rooms_by_id(
        session, [query.room_id] if query.room_id is not None else None
    )
    if query.room_id is not None and query.room_id not in rooms:
        raise Problem(404, f"There is no operating room {query.room_id} known here.")
    conditions = [bookings.c.room_id == query.room_id] if query.room_id is not None else []
    cases = await _cases(session, window, conditions, rooms)
    per_day: defaultdict[tuple[date, uuid.UUID], list[ListedCase]] = defaultdict(list)
    for case in cases:
        per_day[case.row.starts_at.astimezone(tz).date(), case.row.room_id].append(case)
    opened = {
        room_id: _per_local_date(open_time(room, query.first, query.last), tz)
        for room_id, room in rooms.items()
    }
    in_order = sorted(rooms.values(), key=lambda r: (r.code, str(r.room_id)))
    listed = DayList(query, timezone)
    for day in days(query.first, query.last):
        listed.rooms[day] = []
        for room in in_order:
            open_today = opened[room.room_id].get(day, [])
            held = per_day[day, room.room_id]
            if held or open_today or query.room_id is not None:
                listed.rooms[day].append(RoomDay(room, open_today, held))
    return listed


async def _person_list(
    session: AsyncSession, query: DayListQuery, tz: ZoneInfo, window: Span, timezone: str
) -> DayList:
    assert query.staff_id is not None
    person = (await resources_view.staff_by_id(session, [query.staff_id])).get(query.staff_id)
    if person is None:
        raise Problem(404, f"There is no staff member {query.staff_id} known here.")
    if query.view == "surgeon":
        conditions = [surgery_requests.c.surgeon_id == query.staff_id]
    else:
        assigned = select(staff_assignments.c.surgery_id).where(
            staff_assignments.c.staff_id == query.staff_id
        )
        conditions = [bookings.c.surgery_id.in_(assigned)]
    cases = await _cases(session, window, conditions, None)
    listed = DayList(query, timezone, person=person)
    for day in days(query.first, query.last):
        listed.cases[day] = []
    for case in cases:
        listed.cases[case.row.starts_at.astimezone(tz).date()].append(case)
    return listed


async def _cases(
    session: AsyncSession,
    window: Span,
    conditions: list[ColumnElement[bool]],
    rooms: dict[uuid.UUID, OperatingRoomUpserted] | None,
) -> list[ListedCase]:
    """The cases booked to start in `window` that meet `conditions`, in start order, with
    their people and units (and their rooms, read here unless given): four queries at most."""
    where = [bookings.c.starts_at >= window.start, bookings.c.starts_at < window.end, *conditions]
    chosen = (
        select(bookings.c.surgery_id)
        .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
        .where(*where)
    )
    surgeon = staff.alias("surgeon")
    rows = (
        await session.execute(
            select(bookings, *_REQUEST_COLUMNS, surgeon.c.name.label("surgeon_name"))
            .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
            .outerjoin(surgeon, surgeon.c.staff_id == surgery_requests.c.surgeon_id)
            .where(*where)
            .order_by(bookings.c.starts_at, bookings.c.room_id, bookings.c.surgery_id)
        )
    ).all()
    if rooms is None:
        rooms = await resources_view.rooms_by_id(session, {row.room_id for row in rows})
    people = await _people(session, chosen)
    units = await _units(session, chosen)
    return [
        ListedCase(row, rooms.get(row.room_id), people[row.surgery_id], units[row.surgery_id])
        for row in rows
    ]


async def _people(session: AsyncSession, chosen: Any) -> defaultdict[uuid.UUID, list[Row[Any]]]:
    rows = await session.execute(
        select(
            staff_assignments.c.surgery_id,
            staff_assignments.c.staff_id,
            staff_assignments.c.role,
            staff.c.name,
        )
        .outerjoin(staff, staff.c.staff_id == staff_assignments.c.staff_id)
        .where(staff_assignments.c.surgery_id.in_(chosen))
        # The surgeon first, then the others by role and name.
        .order_by(
            staff_assignments.c.role != "surgeon",
            staff_assignments.c.role,
            staff.c.name,
            staff_assignments.c.staff_id,
        )
    )
    found: defaultdict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[row.surgery_id].append(row)
    return found


async def _units(session: AsyncSession, chosen: Any) -> defaultdict[uuid.UUID, list[Row[Any]]]:
    rows = await session.execute(
        select(
            equipment_usages.c.surgery_id,
            equipment_usages.c.unit_id,
            equipment_usages.c.equipment_type,
            equipment_units.c.label,
        )
        .outerjoin(equipment_units, equipment_units.c.unit_id == equipment_usages.c.unit_id)
        .where(equipment_usages.c.surgery_id.in_(chosen))
        .order_by(equipment_usages.c.equipment_type, equipment_units.c.label)
    )
    found: defaultdict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[row.surgery_id].append(row)
    return found


def _per_local_date(spans: list[Span], tz: ZoneInfo) -> dict[date, list[Span]]:
    """`spans` cut at local midnights, per local date (an overnight span is on both dates)."""
    found: defaultdict[date, list[Span]] = defaultdict(list)
    for span in spans:
        start = span.start
        while start < span.end:
            day = start.astimezone(tz).date()
            end = min(span.end, local_moment(day, "24:00", tz))
            found[day].append(Span(start, end))
            start = end
    return found


def _ids(listed: DayList) -> list[str]:
    cases = [c for rooms in listed.rooms.values() for r in rooms for c in r.cases]
    cases += [c for day in listed.cases.values() for c in day]
    return [str(c.row.surgery_id) for c in cases]
