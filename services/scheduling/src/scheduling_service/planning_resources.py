"""The rooms, people, units and blocks of an optimization problem, with the time it may use.

Bookings outside the problem (cases not in it that hold rooms, people or units in the horizon)
are not sent as locked cases: a locked case drags its room, surgeon, staff and units into the
problem and counts in the plan's KPIs (a room outside the chosen ones would show as overtime).
Their time is taken out of what the problem offers instead — a room's held span out of its open
intervals, a person's surgery out of their available time, a unit's use and turnaround out of
its own — and a person's daily maximum shrinks by what they already work that day.

Two gaps in the contract are bridged here. The optimizer reads an empty `available_intervals`
as "always available", so a person or unit with no time left is left out of the problem; one a
current booking of the problem still names (the contract needs them present) is offered exactly
the time that booking holds, so the case can stay put but nobody else is placed on them. And the
contract has no fixed-room units: a unit installed in a room is offered only when that room is
the problem's only one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, subtract
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.planning import (
    PlanningBlock,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRole
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import resources_view
from scheduling_service.db.tables import bookings, equipment_usages, staff, staff_assignments
from scheduling_service.domain.planning_time import minutes_by_day, within_daily_budget

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
    around = Range(horizon.around.start, horizon.around.end, bounds="[)")

    def whose(column):
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


async def planning_staff(
    session: AsyncSession,
    horizon: Horizon,
    *,
    roles: Collection[StaffRole],
    surgeons: Collection[uuid.UUID],
    booked: Held,
    taken: Held,
) -> list[PlanningStaffMember]:
    """Every active person of `roles`, the `surgeons`, and everyone the problem's bookings name."""
    query = select(staff.c.snapshot).where(
        staff.c.role.in_([r.value for r in roles]),
        staff.c.status == "active",
        staff.c.retired_at.is_(None),
    )
    members = {
        m.staff_id: m for m in map(StaffMemberUpserted.model_validate, await session.scalars(query))
    }
    wanted = (set(surgeons) | set(booked.people)) - set(members)
    members |= await resources_view.staff_by_id(session, wanted)
    found = []
    for staff_id in sorted(set(members) | set(booked.people)):
        member = members.get(staff_id)
        free = _free_time(member, horizon, taken.people.get(staff_id, [])) if member else []
        free = free or clip(booked.people.get(staff_id, []), horizon.window)
        if not free:
            continue
        role = member.role if member else booked.roles[staff_id]
        found.append(
            PlanningStaffMember(
                staff_id=staff_id,
                roles=(role,),
                available_intervals=_windows(free),
                max_minutes_per_day=member.max_minutes_per_day if member else None,
            )
        )
    return found


def _free_time(member: StaffMemberUpserted, horizon: Horizon, taken: list[Span]) -> list[Span]:
    available = clip(resources_view.staff_available(member, *horizon.dates), horizon.window)
    tz = ZoneInfo(member.timezone)
    return within_daily_budget(
        subtract(available, taken), minutes_by_day(taken, tz), member.max_minutes_per_day, tz
    )


async def planning_units(
    session: AsyncSession,
    horizon: Horizon,
    *,
    types: Collection[str],
    only_room: uuid.UUID | None,
    booked: Held,
    taken: Held,
) -> list[PlanningEquipmentUnit]:
    """The units of `types` in service (fixed ones only in `only_room`), and those booked."""
    units = await resources_view.units_by_id(session)
    found = []
    for unit_id in sorted(set(units) | set(booked.units)):
        unit = units.get(unit_id)
        free: list[Span] = []
        if unit and unit.equipment_type in types and unit.unit.fixed_room_id in (None, only_room):
            free = subtract(
                resources_view.unit_available(unit, horizon.window), taken.units.get(unit_id, [])
            )
        free = free or clip(booked.units.get(unit_id, []), horizon.window)
        if not free:
            continue
        kind, turnaround = (
            (unit.equipment_type, unit.turnaround_minutes) if unit else booked.unit_kinds[unit_id]
        )
        found.append(
            PlanningEquipmentUnit(
                unit_id=unit_id,
                equipment_type=kind,
                available_intervals=_windows(free),
                turnaround_minutes=turnaround,
            )
        )
    return found


async def planning_rooms(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Iterable[OperatingRoomUpserted],
    *,
    booked_elsewhere: Mapping[uuid.UUID, list[Span]],
    taken: Held,
    surgeons: Collection[uuid.UUID],
    respect_blocks: bool,
) -> tuple[list[PlanningRoom], list[PlanningBlock]]:
    """The chosen rooms' open time less what others hold; rooms outside the choice where a
    case of the problem is booked, open only where it is; the blocks of the chosen rooms."""
    chosen = {room.room_id: room for room in rooms}
    blocks, reserved = await _blocks(session, horizon, chosen, surgeons, respect_blocks)
    found = []
    for room_id, room in sorted(chosen.items()):
        open_time = clip(resources_view.room_open(room, *horizon.dates), horizon.window)
        free = subtract(open_time, [*taken.rooms.get(room_id, []), *reserved.get(room_id, [])])
        found.append(_room(room, free))
    elsewhere = {r: spans for r, spans in booked_elsewhere.items() if r not in chosen}
    known = await resources_view.rooms_by_id(session, list(elsewhere))
    for room_id, spans in sorted(elsewhere.items()):
        capabilities = known[room_id].capabilities if room_id in known else ()
        found.append(
            PlanningRoom(
                room_id=room_id,
                capabilities=capabilities,
                open_intervals=_windows(clip(spans, horizon.window)),
            )
        )
    return found, blocks


def _room(room: OperatingRoomUpserted, free: list[Span]) -> PlanningRoom:
    return PlanningRoom(
        room_id=room.room_id, capabilities=room.capabilities, open_intervals=_windows(free)
    )


async def _blocks(
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


def _windows(spans: Iterable[Span]) -> tuple[UtcWindow, ...]:
    return tuple(UtcWindow(start=s.start, end=s.end) for s in spans)


def _span(period: Range) -> Span:
    return Span(period.lower, period.upper)
