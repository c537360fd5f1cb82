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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
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
from contracts.vocabulary import StaffRole
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import resources_view
from scheduling_service.db.tables import staff
from scheduling_service.domain.planning_time import minutes_by_day, within_daily_budget
from scheduling_service.planning_horizon import Held, Horizon, held_by, windows


@dataclass(frozen=True, slots=True)
class Needs:
    """What the problem's cases need: their people's roles, surgeons, kinds of equipment."""

    case_ids: tuple[uuid.UUID, ...]
    roles: frozenset[StaffRole]
    surgeons: frozenset[uuid.UUID]
    equipment_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class World:
    rooms: list[PlanningRoom]
    staff: list[PlanningStaffMember]
    units: list[PlanningEquipmentUnit]
    blocks: list[PlanningBlock]

    @property
    def surgeons(self) -> set[uuid.UUID]:
        """The surgeons offered: a case whose surgeon is not among them cannot be planned."""
        return {s.staff_id for s in self.staff if StaffRole.SURGEON in s.roles}


async def gather(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Sequence[OperatingRoomUpserted],
    needs: Needs,
    *,
    respect_blocks: bool,
) -> World:
    """Everything the cases may use, with the time it offers them."""
    booked = await held_by(session, horizon, needs.case_ids, inside=True)
    taken = await held_by(session, horizon, needs.case_ids, inside=False)
    staff = await planning_staff(
        session, horizon, roles=needs.roles, surgeons=needs.surgeons, booked=booked, taken=taken
    )
    surgeons = {s.staff_id for s in staff if StaffRole.SURGEON in s.roles}
    problem_rooms, blocks = await planning_rooms(
        session,
        horizon,
        rooms,
        booked_elsewhere=booked.rooms,
        taken=taken,
        surgeons=surgeons,
        respect_blocks=respect_blocks,
    )
    only_room = problem_rooms[0].room_id if len(problem_rooms) == 1 else None
    units = await planning_units(
        session,
        horizon,
        types=needs.equipment_types,
        only_room=only_room,
        booked=booked,
        taken=taken,
    )
    return World(problem_rooms, staff, units, blocks)


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
                available_intervals=windows(free),
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
                available_intervals=windows(free),
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
                open_intervals=windows(clip(spans, horizon.window)),
            )
        )
    return found, blocks


def _room(room: OperatingRoomUpserted, free: list[Span]) -> PlanningRoom:
    return PlanningRoom(
        room_id=room.room_id, capabilities=room.capabilities, open_intervals=windows(free)
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
