"""What the booking rules need from the database: the read model around each proposal, and
what other cases hold of the same rooms, people and units, in a handful of queries for any
number of proposals."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import resources_view
from scheduling_service.db.tables import bookings, equipment_usages, staff_assignments
from scheduling_service.domain.booking_facts import (
    Facts,
    Held,
    Holdings,
    PersonFacts,
    Proposal,
    RoomFacts,
    UnitFacts,
    holdings,
)
from scheduling_service.resources_view import Unit

# Other cases are read this far around the proposals: people's whole local days (their daily
# maximum) and the longest turnaround a unit can have.
_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Known:
    """The read model's rooms, people and units of some proposals, and what others hold."""

    rooms: dict[uuid.UUID, OperatingRoomUpserted]
    staff: dict[uuid.UUID, StaffMemberUpserted]
    units: dict[uuid.UUID, Unit]
    held: Holdings
    hospital_tz: ZoneInfo

    def facts(self, proposal: Proposal, besides: Sequence[Proposal] = ()) -> Facts:
        """The facts of one proposal; `besides` are the other proposals of the same change,
        held as if already booked (its own is skipped)."""
        held = self.held
        for other in besides:
            if other.surgery_id != proposal.surgery_id:
                held = held + holdings(other, self.unit_facts(other))
        room = self.rooms.get(proposal.room_id)
        return Facts(
            room=room_facts(room, proposal) if room else None,
            staff={
                s: person_facts(self.staff[s], proposal)
                for s in proposal.staff_ids
                if s in self.staff
            },
            units=self.unit_facts(proposal),
            hospital_tz=self.hospital_tz,
            held=held,
        )

    def unit_facts(self, proposal: Proposal) -> dict[uuid.UUID, UnitFacts]:
        return {u: unit_facts(self.units[u]) for u in proposal.unit_ids if u in self.units}


async def gather(
    session: AsyncSession,
    proposals: Sequence[Proposal],
    hospital_tz: ZoneInfo,
    *,
    besides: Collection[uuid.UUID],
) -> Known:
    """The read model and holdings of `proposals`, ignoring the bookings of cases `besides`."""
    room_ids = {p.room_id for p in proposals}
    staff_ids = {s for p in proposals for s in p.staff_ids}
    unit_ids = {u for p in proposals for u in p.unit_ids}
    window = Span(
        min(p.room_span.start for p in proposals) - _MARGIN,
        max(p.room_span.end for p in proposals) + _MARGIN,
    )
    held = await _held(
        session,
        {"rooms": room_ids, "staff": staff_ids, "units": unit_ids},
        window,
        besides,
    )
    return Known(
        rooms=await resources_view.rooms_by_id(session, room_ids),
        staff=await resources_view.staff_by_id(session, staff_ids),
        units=await resources_view.units_by_id(session, unit_ids),
        held=held,
        hospital_tz=hospital_tz,
    )


# kind → the table holding it, its resource column, its span column.
_HOLDERS = {
    "rooms": (bookings, bookings.c.room_id, bookings.c.room_period),
    "staff": (staff_assignments, staff_assignments.c.staff_id, staff_assignments.c.period),
    "units": (equipment_usages, equipment_usages.c.unit_id, equipment_usages.c.period),
}


async def _held(
    session: AsyncSession,
    ids: Mapping[str, Collection[uuid.UUID]],
    window: Span,
    besides: Collection[uuid.UUID],
) -> Holdings:
    """What other cases hold of `ids` within `window`, read in ONE statement: one snapshot, so
    a booking committed meanwhile is seen whole (room, people, units) or not at all."""
    parts = []
    for kind, wanted in ids.items():
        if not wanted:
            continue
        table, resource, period = _HOLDERS[kind]
        part = select(
            literal(kind).label("kind"),
            table.c.surgery_id,
            resource.label("resource_id"),
            func.lower(period).label("start"),
            func.upper(period).label("end"),
        ).where(
            resource.in_(list(wanted)),
            period.overlaps(Range(window.start, window.end, bounds="[)")),
        )
        if besides:
            part = part.where(table.c.surgery_id.not_in(list(besides)))
        parts.append(part)
    if not parts:
        return Holdings()
    found: dict[str, list[Held]] = {kind: [] for kind in _HOLDERS}
    for row in await session.execute(union_all(*parts)):
        found[row.kind].append(Held(row.surgery_id, row.resource_id, Span(row.start, row.end)))
    return Holdings(**{kind: tuple(held) for kind, held in found.items()})


def room_facts(room: OperatingRoomUpserted, proposal: Proposal) -> RoomFacts:
    tz = ZoneInfo(room.timezone)
    first, last = resources_view.local_dates(proposal.room_span.start, proposal.room_span.end, tz)
    # A day either side, so an interval open over local midnight is seen whole.
    opened = resources_view.room_open(room, first - timedelta(days=1), last + timedelta(days=1))
    return RoomFacts(
        room_id=room.room_id,
        code=room.code,
        status=room.status.value,
        retired=room.retired_at is not None or room.status.value == "retired",
        capabilities=frozenset(room.capabilities),
        open=tuple(opened),
    )


def person_facts(member: StaffMemberUpserted, proposal: Proposal) -> PersonFacts:
    tz = ZoneInfo(member.timezone)
    first, last = resources_view.local_dates(proposal.surgery.start, proposal.surgery.end, tz)
    available = resources_view.staff_available(
        member, first - timedelta(days=1), last + timedelta(days=1)
    )
    return PersonFacts(
        staff_id=member.staff_id,
        name=member.name,
        role=member.role.value,
        active=member.status == StaffStatus.ACTIVE,
        retired=member.retired_at is not None,
        timezone=tz,
        max_minutes_per_day=member.max_minutes_per_day,
        available=tuple(available),
    )


def unit_facts(unit: Unit) -> UnitFacts:
    return UnitFacts(
        unit_id=unit.unit_id,
        label=unit.unit.label,
        equipment_type=unit.equipment_type,
        status=unit.unit.status.value,
        retired=unit.retired,
        fixed_room_id=unit.unit.fixed_room_id,
        turnaround_minutes=unit.turnaround_minutes,
        maintenance=tuple(Span(w.start, w.end) for w in unit.unit.maintenance_windows),
    )
