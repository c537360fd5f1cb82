"""An optimization's horizon in UTC, and the time bookings and blocks hold in and around it.

`held_by` reads what the problem's own bookings hold (so a case may stay where it is) or what
every other booking holds (so it is not offered to the problem), per room, person and unit;
`blocks_in` the blocks of the chosen rooms, and the time of those no case of the problem may use.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.planning import PlanningBlock
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRole
from servicekit import date_ranges
from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import bookings, equipment_usages, staff_assignments
from scheduling_service.read_model import resources_view

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Horizon:
    """The local dates planned and their time in UTC: `window` starts no earlier than now."""

    first: date
    last: date
    window: Span

    @property
    def dates(self) -> tuple[date, date]:
        """A day wider on each side: people and rooms may keep another time zone's dates."""
        return self.first - _DAY, self.last + _DAY

    @property
    def around(self) -> Span:
        """The window widened by a day each side, for bookings counting in its daily limits."""
        return Span(self.window.start - _DAY, self.window.end + _DAY)


@dataclass
class Held:
    """Time held per room, person or unit, and a person's role and a unit's type when known."""

    rooms: dict[uuid.UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    people: dict[uuid.UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    units: dict[uuid.UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    roles: dict[uuid.UUID, StaffRole] = field(default_factory=dict)
    unit_kinds: dict[uuid.UUID, tuple[str, int]] = field(default_factory=dict)


async def held_by(
    session: AsyncSession, horizon: Horizon, case_ids: Collection[uuid.UUID], *, inside: bool
) -> Held:
    """What the bookings of `case_ids` hold (`inside`), or every other booking's, near the
    horizon."""
    ids = list(case_ids)
    around = date_ranges.period(horizon.around.start, horizon.around.end)

    def whose(column: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
        return column.in_(ids) if inside else column.not_in(ids)

    held = Held()
    for row in await session.execute(
        select(bookings.c.room_id, bookings.c.room_period).where(
            whose(bookings.c.surgery_id), bookings.c.room_period.overlaps(around)
        )
    ):
        held.rooms[row.room_id].append(_span(row.room_period))
    for row in await session.execute(
        select(staff_assignments).where(
            whose(staff_assignments.c.surgery_id), staff_assignments.c.period.overlaps(around)
        )
    ):
        held.people[row.staff_id].append(_span(row.period))
        held.roles[row.staff_id] = StaffRole(row.role)
    for row in await session.execute(
        select(equipment_usages).where(
            whose(equipment_usages.c.surgery_id), equipment_usages.c.period.overlaps(around)
        )
    ):
        held.units[row.unit_id].append(_span(row.period))
        held.unit_kinds[row.unit_id] = (row.equipment_type, row.turnaround_minutes)
    return held


def windows(spans: Iterable[Span]) -> tuple[UtcWindow, ...]:
    return tuple(UtcWindow(start=s.start, end=s.end) for s in spans)


def _span(period: Range[datetime]) -> Span:
    # Stored periods are always written with both ends (`date_ranges.period`).
    assert period.lower is not None and period.upper is not None
    return Span(period.lower, period.upper)


async def blocks_in(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Mapping[uuid.UUID, OperatingRoomUpserted],
    surgeons: Collection[uuid.UUID],
    respect_blocks: bool,
) -> tuple[list[PlanningBlock], dict[uuid.UUID, list[Span]]]:
    """Each block occurrence in the horizon, and per room the time held by blocks of surgeons
    the problem does not have: no case here may use it (the contract needs a block's surgeon
    among the staff), so, when blocks are respected, it is taken out of the room's open time."""
    found: list[PlanningBlock] = []
    reserved: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for block in await resources_view.live_blocks(session, list(rooms)):
        tz = ZoneInfo(rooms[block.room_id].timezone)
        for day, span in resources_view.block_occurrences(block, tz, *horizon.dates):
            within = clip([span], horizon.window)
            if not within:
                continue
            if block.surgeon_id is not None and block.surgeon_id not in surgeons:
                if respect_blocks:
                    reserved[block.room_id] += within
                continue
            found.append(
                PlanningBlock(
                    block_id=uuid.uuid5(block.block_id, day.isoformat()),
                    room_id=block.room_id,
                    start=within[0].start,
                    end=within[0].end,
                    surgeon_id=block.surgeon_id,
                    service=block.service,
                )
            )
    return found, reserved
