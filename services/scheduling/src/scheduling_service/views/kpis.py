"""The KPIs of a range of local dates: the facts loaded in a few queries, then the pure formulas.

Five reads in one snapshot of the database, whatever the range or the number of cases: rooms
not retired before the range (with their open time worked out from their snapshots), the booked
cases, the bookings given up (from `case_history`), the blocks not retired before the range
(their occurrences from their snapshots) and the surgeons' names; the rooms of the cases and
blocks read too if retired. The figures may be narrowed to a room, a service and a surgeon
(`Scope`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_blocks import BlockAllocated
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.scheduling_surgeries import SurgeryStatus
from servicekit.date_ranges import ensure_date_range
from servicekit.db import repeatable_read
from sqlalchemy import DateTime, Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import blocks, bookings, case_history, surgery_requests
from scheduling_service.domain.kpis.kpi_facts import (
    BlockOccurrence,
    Cancellation,
    Case,
    KpiFacts,
    RoomOpen,
)
from scheduling_service.domain.kpis.kpi_figures import KpiReport, Week
from scheduling_service.domain.kpis.kpi_scope import Scope
from scheduling_service.domain.kpis.kpi_weeks import weekly
from scheduling_service.domain.kpis.kpis import Rules, report
from scheduling_service.read_model import resources_view
from scheduling_service.views.schedule import open_time

GIVEN_UP = (SurgeryStatus.CANCELLED.value, SurgeryStatus.POSTPONED.value)
# More than any two time zones' offsets differ by (UTC-12 to UTC+14).
_TIME_ZONE_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class KpiSheet:
    """The figures of a range, with the rooms they name (in code order), the surgeons' names
    (those known) and the figures week by week."""

    first: date
    last: date
    timezone: str
    as_of: datetime
    turnover_cap_minutes: int
    within: Scope
    rooms: list[OperatingRoomUpserted]
    surgeon_names: dict[uuid.UUID, str]
    report: KpiReport
    weeks: list[Week]


async def kpi_sheet(
    session: AsyncSession,
    first: date,
    last: date,
    *,
    timezone: str,
    max_days: int,
    grace_minutes: int,
    now: datetime,
    within: Scope = Scope(),
) -> KpiSheet:
    """The KPIs of the local dates `first` to `last` (both included) in `timezone`, as of `now`
    (a case booked to end by then without wheels-in is unrecorded), narrowed to `within`."""
    ensure_date_range(first, last, max_days)
    # One snapshot for every read below; nothing is written.
    await repeatable_read(session, read_only=True)
    tz = ZoneInfo(timezone)
    window = resources_view.whole_days(first, last, tz)
    # Only what can count in the range: a room or block retired before it has no time in it
    # (the margin covers rooms and blocks planned in a time zone other than the hospital's),
    # and a hospital's retired rooms pile up. The rooms of the range's cases, cancellations
    # and blocks are read whatever their state.
    since = window.start - _TIME_ZONE_MARGIN
    rooms = await resources_view.rooms_by_id(session, serving_after=since)
    cases = await _cases(session, window)
    cancellations = await _cancellations(session, window)
    held = [
        BlockAllocated.model_validate(snapshot)
        for snapshot in await session.scalars(
            select(blocks.c.snapshot).where(
                or_(blocks.c.retired_at.is_(None), blocks.c.retired_at > since)
            )
        )
    ]
    booked = {c.room_id for c in cases} | {c.room_id for c in cancellations}
    if missing := (booked | {b.room_id for b in held}) - rooms.keys():
        rooms |= await resources_view.rooms_by_id(session, missing)
    # A room without open time in the range adds nothing to any figure (its cases and blocks
    # name it): left out, it costs no scope of the report a look.
    opened = [RoomOpen(r.room_id, tuple(open_time(r, first, last))) for r in rooms.values()]
    facts = KpiFacts(
        rooms=[room for room in opened if room.spans],
        cases=cases,
        cancellations=cancellations,
        blocks=_block_occurrences(held, rooms, first, last, tz),
    )
    rules = Rules(tz=tz, grace_minutes=grace_minutes, now=now)
    figures = report(facts, rules, within)
    named = sorted(
        (rooms[room_id] for room_id in figures.rooms if room_id in rooms),
        key=lambda r: (r.code, str(r.room_id)),
    )
    surgeons = await resources_view.staff_by_id(session, list(figures.surgeons))
    return KpiSheet(
        first=first,
        last=last,
        timezone=timezone,
        as_of=now,
        turnover_cap_minutes=rules.turnover_cap_minutes,
        within=within,
        rooms=named,
        surgeon_names={staff_id: member.name for staff_id, member in surgeons.items()},
        report=figures,
        weeks=weekly(facts, rules, first, last, within),
    )


async def _cases(session: AsyncSession, window: Span) -> list[Case]:
    """Every case booked to start within the window (a booking exists only while it holds)."""
    rows = await session.execute(
        select(
            bookings,
            surgery_requests.c.specialty,
            surgery_requests.c.surgeon_id,
            surgery_requests.c.status,
            surgery_requests.c.expected_duration_minutes,
            surgery_requests.c.wheels_in,
            surgery_requests.c.wheels_out,
        )
        .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
        .where(bookings.c.starts_at >= window.start, bookings.c.starts_at < window.end)
    )
    return [_case(row) for row in rows]


def _case(row: Row[Any]) -> Case:
    return Case(
        surgery_id=row.surgery_id,
        room_id=row.room_id,
        service=row.specialty,
        surgeon_id=row.surgeon_id,
        status=row.status,
        start=row.starts_at,
        end=row.ends_at,
        setup_minutes=row.setup_minutes,
        cleanup_minutes=row.cleanup_minutes,
        expected_minutes=row.expected_duration_minutes,
        wheels_in=row.wheels_in,
        wheels_out=row.wheels_out,
    )


async def _cancellations(session: AsyncSession, window: Span) -> list[Cancellation]:
    """Bookings for the window that their case gave up: the booking the history line kept."""
    booked_start = case_history.c.booking["start"].astext.cast(DateTime(timezone=True))
    rows = await session.execute(
        select(
            case_history.c.surgery_id,
            case_history.c.to_status,
            case_history.c.changed_at,
            case_history.c.reason_code,
            case_history.c.booking["room_id"].astext.label("room_id"),
            booked_start.label("booked_start"),
            surgery_requests.c.specialty,
            surgery_requests.c.surgeon_id,
        )
        .join(surgery_requests, surgery_requests.c.surgery_id == case_history.c.surgery_id)
        .where(
            case_history.c.to_status.in_(GIVEN_UP),
            case_history.c.booking.is_not(None),
            booked_start >= window.start,
            booked_start < window.end,
        )
    )
    return [
        Cancellation(
            surgery_id=row.surgery_id,
            room_id=uuid.UUID(row.room_id),
            service=row.specialty,
            booked_start=row.booked_start,
            cancelled_at=row.changed_at,
            postponed=row.to_status == SurgeryStatus.POSTPONED.value,
            surgeon_id=row.surgeon_id,
            reason_code=row.reason_code,
        )
        for row in rows
    ]


def _block_occurrences(
    held: list[BlockAllocated],
    rooms: dict[uuid.UUID, OperatingRoomUpserted],
    first: date,
    last: date,
    tz: ZoneInfo,
) -> list[BlockOccurrence]:
    """Each date a block held its room in the range (released dates left out), in the room's
    own time zone as resources plans them; a block retired since counts until it was."""
    found: list[BlockOccurrence] = []
    for block in held:
        room = rooms.get(block.room_id)
        room_tz = ZoneInfo(room.timezone) if room is not None else tz
        found.extend(
            BlockOccurrence(
                block_id=block.block_id,
                room_id=block.room_id,
                span=span,
                surgeon_id=block.surgeon_id,
                service=block.service,
            )
            for _, span in resources_view.block_occurrences(block, room_tz, first, last)
            if block.retired_at is None or span.start < block.retired_at
        )
    return found
