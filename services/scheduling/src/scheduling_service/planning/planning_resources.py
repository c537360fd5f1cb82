"""The rooms, people, units and blocks of an optimization problem, with the time it may use.

Only what could serve a case is offered: the cases' surgeons, the active people of the roles and
the units of the kinds they need (fixed units only in the problem's only room), with the time a
chosen room is open and free (a unit's turnaround after it too), in pieces long enough for the
shortest case needing them; anyone left with no such time is left out; and of people or units
no plan could tell apart, only as many as the cases could use (`domain.interchangeable`).

Bookings outside the problem are not sent as locked cases: one would drag its room, surgeon,
staff and units into the problem and count in the plan's KPIs (a room outside the chosen ones
would show as overtime). Their time is taken out of what the problem offers instead — a room's
held span, a person's surgery, a unit's use and turnaround — and a person's daily maximum
shrinks by what they already work that day. That maximum may differ by date (a part day, an
on-call day: resources' `max_minutes_by_weekday` and `max_minutes_by_date`); the problem's
`max_minutes_by_date` names each date of the horizon where it is not `max_minutes_per_day`.

Two gaps in the contract are bridged here. The optimizer reads an empty `available_intervals`
as "always available", so a person or unit with no time left is left out of the problem; one a
current booking of the problem still names (the contract needs them present) is offered exactly
the time that booking holds, so the case can stay put but nobody else is placed on them. And the
contract has no fixed-room units: a unit installed in a room is offered only when that room is
the problem's only one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, intersect, merge, subtract
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

from scheduling_service.db.tables import staff
from scheduling_service.domain import interchangeable, planning_time
from scheduling_service.planning.planning_horizon import Held, Horizon, blocks_in, held_by, windows
from scheduling_service.read_model import resources_view


@dataclass(frozen=True, slots=True)
class Needs:
    """What the problem's cases need — roles, surgeons, kinds of equipment — each with the
    shortest surgery (minutes) needing it; and how many people of each role and units of each
    kind they need in all."""

    case_ids: tuple[uuid.UUID, ...]
    roles: Mapping[StaffRole, int]
    surgeons: Mapping[uuid.UUID, int]
    equipment_types: Mapping[str, int]
    people_needed: Mapping[StaffRole, int] = field(default_factory=dict)
    units_needed: Mapping[str, int] = field(default_factory=dict)


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
    free_rooms = {
        room.room_id: subtract(_open(room, horizon), taken.rooms.get(room.room_id, []))
        for room in rooms
    }
    # Where a case of the problem may be: a chosen room's free time, or where it is booked.
    room_time = merge([*chain(*free_rooms.values()), *chain(*booked.rooms.values())])
    staff = await planning_staff(
        session, horizon, needs, room_time=room_time, booked=booked, taken=taken
    )
    surgeons = {s.staff_id for s in staff if StaffRole.SURGEON in s.roles}
    problem_rooms, blocks = await planning_rooms(
        session,
        horizon,
        rooms,
        free_rooms,
        booked_elsewhere=booked.rooms,
        surgeons=surgeons,
        respect_blocks=respect_blocks,
    )
    only_room = problem_rooms[0].room_id if len(problem_rooms) == 1 else None
    units = await planning_units(
        session,
        horizon,
        needs.equipment_types,
        room_time=room_time,
        only_room=only_room,
        booked=booked,
        taken=taken,
    )
    return World(
        problem_rooms,
        interchangeable.people(staff, needs.people_needed, booked.people),
        interchangeable.units(units, needs.units_needed, booked.units),
        blocks,
    )


async def planning_staff(
    session: AsyncSession,
    horizon: Horizon,
    needs: Needs,
    *,
    room_time: list[Span],
    booked: Held,
    taken: Held,
) -> list[PlanningStaffMember]:
    """The cases' surgeons and the active people of the roles they need, with the time they
    could serve a case in; and everyone the problem's bookings name."""
    query = select(staff.c.snapshot).where(
        staff.c.role.in_([r.value for r in needs.roles]),
        staff.c.status == "active",
        staff.c.retired_at.is_(None),
    )
    members = {
        m.staff_id: m for m in map(StaffMemberUpserted.model_validate, await session.scalars(query))
    }
    wanted = (set(needs.surgeons) | set(booked.people)) - set(members)
    members |= await resources_view.staff_by_id(session, wanted)
    found = []
    for staff_id in sorted(set(members) | set(booked.people)):
        member = members.get(staff_id)
        free = (
            _person_time(member, needs, horizon, room_time, taken.people.get(staff_id, []))
            if member
            else []
        )
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
                max_minutes_by_date=_maxima_by_date(member, horizon) if member else {},
            )
        )
    return found


def _maxima_by_date(member: StaffMemberUpserted, horizon: Horizon) -> dict[date, int]:
    """Their part days and on-call days in the horizon: where their maximum is not the one of
    every day."""
    return planning_time.maxima_by_date(
        horizon.first, horizon.last, member.max_minutes_on, member.max_minutes_per_day
    )


def _person_time(
    member: StaffMemberUpserted,
    needs: Needs,
    horizon: Horizon,
    room_time: list[Span],
    taken: list[Span],
) -> list[Span]:
    """Their working time while a chosen room is free, less what others' bookings hold and
    within what is left of their daily maximum, in pieces long enough for a case they could
    serve (a surgeon: their own cases, or any needing another surgeon)."""
    shortest = [needs.roles.get(member.role)]
    if member.role == StaffRole.SURGEON:
        shortest.append(needs.surgeons.get(member.staff_id))
    if not (lengths := [m for m in shortest if m is not None]):
        return []
    available = clip(resources_view.staff_available(member, *horizon.dates), horizon.window)
    tz = ZoneInfo(member.timezone)
    free = planning_time.within_daily_budget(
        subtract(intersect(available, room_time), taken),
        planning_time.minutes_by_day(taken, tz),
        member.max_minutes_on,
        tz,
    )
    return planning_time.long_enough(free, min(lengths))


async def planning_units(
    session: AsyncSession,
    horizon: Horizon,
    types: Mapping[str, int],
    *,
    room_time: list[Span],
    only_room: uuid.UUID | None,
    booked: Held,
    taken: Held,
) -> list[PlanningEquipmentUnit]:
    """The units of `types` in service (fixed ones only in `only_room`), with the time they could
    serve a case in; and those the problem's bookings name."""
    units = await resources_view.units_by_id(session)
    found = []
    for unit_id in sorted(set(units) | set(booked.units)):
        unit = units.get(unit_id)
        free: list[Span] = []
        if unit and unit.equipment_type in types and unit.unit.fixed_room_id in (None, only_room):
            free = _unit_time(unit, types[unit.equipment_type], horizon, room_time, taken)
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


def _unit_time(
    unit: resources_view.Unit, shortest: int, horizon: Horizon, room_time: list[Span], taken: Held
) -> list[Span]:
    """Its usable time while a chosen room is free and for its turnaround after, less what
    others' bookings hold, in pieces long enough for the shortest case and the turnaround."""
    turnaround = unit.turnaround_minutes
    usable = intersect(
        resources_view.unit_available(unit, horizon.window),
        planning_time.reaching_past(room_time, turnaround),
    )
    free = subtract(usable, taken.units.get(unit.unit_id, []))
    return planning_time.long_enough(free, shortest + turnaround)


async def planning_rooms(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Iterable[OperatingRoomUpserted],
    free_rooms: Mapping[uuid.UUID, list[Span]],
    *,
    booked_elsewhere: Mapping[uuid.UUID, list[Span]],
    surgeons: Collection[uuid.UUID],
    respect_blocks: bool,
) -> tuple[list[PlanningRoom], list[PlanningBlock]]:
    """The chosen rooms' free time (`free_rooms`: open, less what others hold) less the blocks
    no case may use; rooms outside the choice where a case of the problem is booked, open only
    where it is; the blocks of the chosen rooms."""
    chosen = {room.room_id: room for room in rooms}
    blocks, reserved = await blocks_in(session, horizon, chosen, surgeons, respect_blocks)
    found = []
    for room_id, room in sorted(chosen.items()):
        found.append(_room(room, subtract(free_rooms[room_id], reserved.get(room_id, []))))
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


def _open(room: OperatingRoomUpserted, horizon: Horizon) -> list[Span]:
    return clip(resources_view.room_open(room, *horizon.dates), horizon.window)


def _room(room: OperatingRoomUpserted, free: list[Span]) -> PlanningRoom:
    return PlanningRoom(
        room_id=room.room_id, capabilities=room.capabilities, open_intervals=windows(free)
    )
