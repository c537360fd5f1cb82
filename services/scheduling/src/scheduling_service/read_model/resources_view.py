"""Reading the read model of resources: snapshots as contract models, and their open time in UTC.

Open time follows `contracts.calendar`, the rules the resources service answers availability
with, so a booking here and a plan from the optimizer agree with what resources publishes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.availability import (
    HoursException,
    room_open_spans,
    staff_available_spans,
    unit_available_spans,
)
from contracts.calendar.blocks import BlockPattern, occurrences
from contracts.calendar.spans import Span
from contracts.calendar.wallclock import range_span
from contracts.events.resources_blocks import BlockAllocated, SingleDate
from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from sqlalchemy import Result, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import blocks, equipment, equipment_units, rooms, staff


@dataclass(frozen=True, slots=True)
class Unit:
    """One equipment unit with what its equipment says about it."""

    equipment: EquipmentUpserted
    unit: EquipmentUnit

    @property
    def unit_id(self) -> uuid.UUID:
        return self.unit.unit_id

    @property
    def equipment_type(self) -> str:
        return self.equipment.equipment_type

    @property
    def turnaround_minutes(self) -> int:
        return self.equipment.turnaround_minutes

    @property
    def retired(self) -> bool:
        return self.equipment.retired_at is not None or self.unit.status == "retired"


async def rooms_by_id(
    session: AsyncSession,
    ids: Collection[uuid.UUID] | None = None,
    *,
    serving_after: datetime | None = None,
) -> dict[uuid.UUID, OperatingRoomUpserted]:
    """Every room known (retired ones too: `retired_at` says so), or those of `ids`; with
    `serving_after`, only those not retired by then (a hospital's retired rooms pile up)."""
    read: Result[Any]
    if ids is not None and serving_after is None:  # a booking's rooms: the statement built once
        read = await session.execute(_ROOM_VERSIONS, {"ids": list(ids)})
    elif ids is None and serving_after is not None:  # a day list's rooms: built once too
        read = await session.execute(_ROOMS_SERVING, {"serving_after": serving_after})
    else:
        query = select(rooms.c.room_id, rooms.c.version)
        if ids is not None:
            query = query.where(rooms.c.room_id.in_(list(ids)))
        if serving_after is not None:
            query = query.where(
                or_(rooms.c.retired_at.is_(None), rooms.c.retired_at > serving_after)
            )
        read = await session.execute(query)
    versions = {row.room_id: row.version for row in read}
    # A snapshot is the same for every reader until its version changes: validated once per
    # process (`_ROOMS`), read in full only when new; its version comes with it, whatever the
    # first query saw.
    found = {
        room_id: known
        for room_id, version in versions.items()
        if (known := _ROOMS.get((room_id, version))) is not None
    }
    if missing := [room_id for room_id in versions if room_id not in found]:
        snapshots = select(rooms.c.version, rooms.c.snapshot).where(rooms.c.room_id.in_(missing))
        if len(_ROOMS) > _ROOMS_KEPT:
            _ROOMS.clear()
        for row in await session.execute(snapshots):
            room = OperatingRoomUpserted.model_validate(row.snapshot)
            _ROOMS[room.room_id, row.version] = found[room.room_id] = room
    return found


_UUIDS = ARRAY(UUID(as_uuid=True))
_ROOM_VERSIONS = select(rooms.c.room_id, rooms.c.version).where(
    rooms.c.room_id == any_(bindparam("ids", type_=_UUIDS))
)
_ROOMS_SERVING = select(rooms.c.room_id, rooms.c.version).where(
    or_(rooms.c.retired_at.is_(None), rooms.c.retired_at > bindparam("serving_after"))
)
_STAFF_OF = select(staff.c.staff_id, staff.c.version, staff.c.snapshot).where(
    staff.c.staff_id == any_(bindparam("ids", type_=_UUIDS))
)
_UNITS_OF = (
    select(equipment.c.snapshot)
    .where(
        equipment.c.equipment_id.in_(
            select(equipment_units.c.equipment_id).where(
                equipment_units.c.unit_id == any_(bindparam("ids", type_=_UUIDS))
            )
        )
    )
    .order_by(equipment.c.equipment_id)
)

# The rooms' snapshots validated so far, by room and version (immutable: `Event` is frozen).
_ROOMS: dict[tuple[uuid.UUID, int], OperatingRoomUpserted] = {}
_ROOMS_KEPT = 20_000


async def staff_by_id(
    session: AsyncSession, ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, StaffMemberUpserted]:
    if ids is None:
        read = await session.execute(select(staff.c.staff_id, staff.c.version, staff.c.snapshot))
    else:
        read = await session.execute(_STAFF_OF, {"ids": list(ids)})
    return {row.staff_id: member_of(row.staff_id, row.version, row.snapshot) for row in read}


async def staff_at(
    session: AsyncSession, versions: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, StaffMemberUpserted]:
    """The people of `versions`, their read-model versions read with something else: those
    this process has validated at that version as they were, the others (new to it) read in
    one statement at the version they now have (as `rooms_by_id` does)."""
    found = {
        staff_id: known
        for staff_id, version in versions.items()
        if (known := _STAFF.get((staff_id, version))) is not None
    }
    if missing := [staff_id for staff_id in versions if staff_id not in found]:
        found |= await staff_by_id(session, missing)
    return found


def room_of(room_id: uuid.UUID, version: int, snapshot: Any) -> OperatingRoomUpserted:
    """The room of a read-model row: validated once per process and version (`_ROOMS`)."""
    if (known := _ROOMS.get((room_id, version))) is None:
        if len(_ROOMS) > _ROOMS_KEPT:
            _ROOMS.clear()
        known = _ROOMS[room_id, version] = OperatingRoomUpserted.model_validate(snapshot)
    return known


def member_of(staff_id: uuid.UUID, version: int, snapshot: Any) -> StaffMemberUpserted:
    """The person of a read-model row: validated once per process and version (`_STAFF`); a
    booking reads its people twice and every booking of theirs reads them again."""
    if (known := _STAFF.get((staff_id, version))) is None:
        if len(_STAFF) > _STAFF_KEPT:
            _STAFF.clear()
        known = _STAFF[staff_id, version] = StaffMemberUpserted.model_validate(snapshot)
    return known


def equipment_of(equipment_id: uuid.UUID, version: int, snapshot: Any) -> EquipmentUpserted:
    """The equipment of a read-model row: validated once per process and version."""
    if (known := _EQUIPMENT.get((equipment_id, version))) is None:
        if len(_EQUIPMENT) > _EQUIPMENT_KEPT:
            _EQUIPMENT.clear()
        known = _EQUIPMENT[equipment_id, version] = EquipmentUpserted.model_validate(snapshot)
    return known


# The people's and the equipment's snapshots validated so far, by id and version (immutable, as
# the rooms'): a snapshot with a new version is a new key, an old one is simply never asked for.
_STAFF: dict[tuple[uuid.UUID, int], StaffMemberUpserted] = {}
_STAFF_KEPT = 20_000
_EQUIPMENT: dict[tuple[uuid.UUID, int], EquipmentUpserted] = {}
_EQUIPMENT_KEPT = 20_000


async def units_by_id(
    session: AsyncSession, ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, Unit]:
    """Every unit known, or those of `ids`, each with its equipment's snapshot."""
    if ids is None:
        read = await session.scalars(
            select(equipment.c.snapshot).order_by(equipment.c.equipment_id)
        )
    else:
        read = await session.scalars(_UNITS_OF, {"ids": list(ids)})
    found: dict[uuid.UUID, Unit] = {}
    for snapshot in read:
        item = EquipmentUpserted.model_validate(snapshot)
        for unit in item.units:
            if ids is None or unit.unit_id in ids:
                found[unit.unit_id] = Unit(item, unit)
    return found


async def live_blocks(
    session: AsyncSession, room_ids: Collection[uuid.UUID] | None = None
) -> list[BlockAllocated]:
    """The blocks not retired, of `room_ids` or of every room."""
    query = select(blocks.c.snapshot).where(blocks.c.retired_at.is_(None))
    if room_ids is not None:
        query = query.where(blocks.c.room_id.in_(list(room_ids)))
    return [BlockAllocated.model_validate(s) for s in await session.scalars(query)]


def room_open(room: OperatingRoomUpserted, first: date, last: date) -> list[Span]:
    """A room's open time on its local dates `first` to `last`; none once retired."""
    if room.retired_at is not None:
        return []
    exceptions = [HoursException(e.kind.value, e.start, e.end) for e in room.exceptions]
    return room_open_spans(
        room.weekly_hours,
        exceptions,
        status=room.status.value,
        tz=ZoneInfo(room.timezone),
        first=first,
        last=last,
    )


def staff_available(member: StaffMemberUpserted, first: date, last: date) -> list[Span]:
    """A person's working time on their local dates `first` to `last`; none once retired."""
    return staff_available_spans(
        member.working_pattern,
        [Span(a.start, a.end) for a in member.absences],
        active=member.status == StaffStatus.ACTIVE and member.retired_at is None,
        tz=ZoneInfo(member.timezone),
        first=first,
        last=last,
    )


def unit_available(unit: Unit, window: Span) -> list[Span]:
    """A unit's usable time within `window`: none once retired or in maintenance."""
    if unit.retired:
        return []
    maintenance = [Span(w.start, w.end) for w in unit.unit.maintenance_windows]
    return unit_available_spans(maintenance, status=unit.unit.status.value, window=window)


def block_occurrences(
    block: BlockAllocated, tz: ZoneInfo, first: date, last: date
) -> list[tuple[date, Span]]:
    """Each local date from `first` to `last` the block holds its room, with its UTC span."""
    recurrence = block.recurrence
    if isinstance(recurrence, SingleDate):
        pattern = BlockPattern.on_date(
            recurrence.date, block.start_time, block.end_time, released=block.released_dates
        )
    else:
        pattern = BlockPattern.weekly(
            recurrence.weekdays,
            block.start_time,
            block.end_time,
            valid_from=recurrence.valid_from,
            valid_to=recurrence.valid_to,
            released=block.released_dates,
        )
    return occurrences(pattern, tz, first, last)


def local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """The local dates an instant range touches, for asking what is open around it."""
    return start.astimezone(tz).date(), end.astimezone(tz).date()


def whole_days(first: date, last: date, tz: ZoneInfo) -> Span:
    """Local midnight starting `first` to local midnight ending `last`, in UTC."""
    return range_span(first, last, tz)
