"""Day lists: the booked cases of a range of local dates, per room or for one person.

A case belongs to the local date (hospital time zone) its surgery is booked to start on. Each
list is read in a fixed number of queries whatever its size (the rooms or the person, the
cases with their surgeons, everyone assigned, every equipment unit), in one snapshot of the
database, and audited as `schedule.read` entries naming every case it returned: one entry, or
for a list of more than `AUDIT_IDS_PER_ENTRY` cases several with the same query, each naming
a part of them (a single entry naming 22,000 cases would outgrow what an event may carry).

The room list shows, for each date, every room open that day and every room with a case that
day (so a room closed for the day but still holding a case shows up), as a printed day list
does; asked for one room, that room on every date, open or not. Over a range longer than
`FULL_LIST_MAX_DAYS` days without a room, only the room-days with cases are listed: every open
room on every date of three months is megabytes of empty rooms. Cancelled and postponed cases
have no booking: they are not listed; completed, in-room, confirmed and scheduled ones are.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip
from contracts.calendar.wallclock import days, local_moment
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from servicekit.auth import Principal
from servicekit.date_ranges import ensure_date_range
from servicekit.db import UnitOfWork, repeatable_read
from servicekit.problems import Problem
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.audit import audit_log
from scheduling_service.cases import case_access
from scheduling_service.db.tables import bookings, staff_assignments, surgery_requests
from scheduling_service.domain import access
from scheduling_service.read_model import resources_view
from scheduling_service.views import listed_cases
from scheduling_service.views.listed_cases import ListedCase

# A list names at most this many cases per audit entry: 2,000 ids are about 80 KB of an event.
AUDIT_IDS_PER_ENTRY = 2000
# A room list of at most this many days shows empty rooms too; a longer one only those in use.
FULL_LIST_MAX_DAYS = 7


@dataclass(frozen=True, slots=True)
class DayListQuery:
    """Which list: every room (or `room_id`'s), or one person's as surgeon or as anyone."""

    first: date
    last: date
    view: str = "rooms"  # "rooms", "surgeon" or "staff"
    room_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None

    @property
    def lists_empty_rooms(self) -> bool:
        """Whether a rooms list shows open rooms without cases: for one room, or a short range."""
        return self.room_id is not None or (self.last - self.first).days < FULL_LIST_MAX_DAYS

    def details(self) -> dict[str, Any]:
        found: dict[str, Any] = {"view": self.view, "from": str(self.first), "to": str(self.last)}
        if self.room_id is not None:
            found["room_id"] = str(self.room_id)
        if self.staff_id is not None:
            found["staff_id"] = str(self.staff_id)
        return found


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
    # The cases listed without their patient's identifiers (`domain/access.py`).
    patient_hidden: frozenset[uuid.UUID] = frozenset()

    def shows_patient(self, case: ListedCase) -> bool:
        return case.row.surgery_id not in self.patient_hidden


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
    ensure_date_range(query.first, query.last, max_days)
    session = uow.session
    # One snapshot for every read below; the audit entry is the only write.
    await repeatable_read(session)
    tz = ZoneInfo(timezone)
    window = resources_view.whole_days(query.first, query.last, tz)
    if query.view == "rooms":
        listed = await _rooms_list(session, query, tz, window, timezone)
    else:
        listed = await _person_list(session, query, tz, window, timezone)
    listed = replace(listed, patient_hidden=await _patient_hidden(session, reader, listed))
    await record_read(uow, reader, query, _ids(listed))
    await uow.commit()
    return listed


async def record_read(
    uow: UnitOfWork, reader: Principal, query: DayListQuery, surgery_ids: list[str]
) -> None:
    """The audit entries of a list: the ids it returned, `AUDIT_IDS_PER_ENTRY` to an entry (at
    least one entry, naming none when the list is empty)."""
    for first in range(0, max(len(surgery_ids), 1), AUDIT_IDS_PER_ENTRY):
        await audit_log.record(
            uow,
            actor=audit_log.actor(reader),
            action="schedule.read",
            record_id=query.staff_id or query.room_id or "rooms",
            details={
                "query": query.details(),
                "surgery_ids": surgery_ids[first : first + AUDIT_IDS_PER_ENTRY],
            },
        )


async def _rooms_list(
    session: AsyncSession, query: DayListQuery, tz: ZoneInfo, window: Span, timezone: str
) -> DayList:
    if query.room_id is not None:
        rooms = await resources_view.rooms_by_id(session, [query.room_id])
        if query.room_id not in rooms:
            raise Problem(404, f"There is no operating room {query.room_id} known here.")
        cases = await listed_cases.read(
            session, window, [bookings.c.room_id == query.room_id], rooms
        )
    else:
        # A room retired before the window has no open time in it: it is listed only for a
        # case it still holds (read then, rarely).
        rooms = await resources_view.rooms_by_id(session, serving_after=window.start)
        cases = await listed_cases.read(session, window, [], rooms)
        if retired := {case.row.room_id for case in cases if case.room is None}:
            rooms |= await resources_view.rooms_by_id(session, retired)
            cases = [c if c.room else replace(c, room=rooms.get(c.row.room_id)) for c in cases]
    per_day: defaultdict[tuple[date, uuid.UUID], list[ListedCase]] = defaultdict(list)
    for case in cases:
        per_day[case.row.starts_at.astimezone(tz).date(), case.row.room_id].append(case)
    opened = {room_id: _open_days(room, query, tz) for room_id, room in rooms.items()}
    in_order = sorted(rooms.values(), key=lambda r: (r.code, str(r.room_id)))
    listed = DayList(query, timezone)
    for day in days(query.first, query.last):
        listed.rooms[day] = []
        for room in in_order:
            open_today = opened[room.room_id].get(day, [])
            held = per_day[day, room.room_id]
            if held or (open_today and query.lists_empty_rooms) or query.room_id is not None:
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
    cases = await listed_cases.read(session, window, conditions, None)
    listed = DayList(query, timezone, person=person)
    for day in days(query.first, query.last):
        listed.cases[day] = []
    for case in cases:
        listed.cases[case.row.starts_at.astimezone(tz).date()].append(case)
    return listed


# A room's open time per local date, by room, version and dates: the same for every reader
# until the room's snapshot changes (its exceptions are part of it), so worked out once.
_OPEN_DAYS: dict[tuple[uuid.UUID, int, date, date, str], dict[date, list[Span]]] = {}
_OPEN_DAYS_KEPT = 20_000


def _open_days(
    room: OperatingRoomUpserted, query: DayListQuery, tz: ZoneInfo
) -> dict[date, list[Span]]:
    key = (room.room_id, room.version, query.first, query.last, tz.key)
    if (known := _OPEN_DAYS.get(key)) is None:
        if len(_OPEN_DAYS) > _OPEN_DAYS_KEPT:
            _OPEN_DAYS.clear()
        known = _OPEN_DAYS[key] = _per_local_date(open_time(room, query.first, query.last), tz)
    return known


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


def _listed(listed: DayList) -> list[ListedCase]:
    cases = [c for rooms in listed.rooms.values() for r in rooms for c in r.cases]
    return cases + [c for day in listed.cases.values() for c in day]


def _ids(listed: DayList) -> list[str]:
    return [str(c.row.surgery_id) for c in _listed(listed)]


async def _patient_hidden(
    session: AsyncSession, reader: Principal, listed: DayList
) -> frozenset[uuid.UUID]:
    """The listed cases whose patient the reader may not see; every listed case is one a day
    list shows to every reading role (`access.list_scope`)."""
    who = await case_access.reader_of(session, reader)
    cases = _listed(listed)
    if cases and not access.needs_own_cases(who.roles):
        # No sight depends on which cases the reader is on: the first case's is every case's.
        first = cases[0]
        sight = access.list_sight(who, case_access.ties_of(first.row, _assigned(first)))
        hidden = sight is not access.Sight.FULL
        return frozenset(case.row.surgery_id for case in cases) if hidden else frozenset()
    return frozenset(
        case.row.surgery_id
        for case in cases
        if access.list_sight(who, case_access.ties_of(case.row, _assigned(case)))
        is not access.Sight.FULL
    )


def _assigned(case: ListedCase) -> list[uuid.UUID]:
    return [p.staff_id for p in case.staff]
