"""Reading the read model of resources: snapshots as contract models, and their open time in UTC.

Open time follows `contracts.calendar`, the rules the resources service answers availability
with, so a booking here and a plan from the optimizer agree with what resources publishes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
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
from contracts.envelope import Event
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
    found = _ROOMS.known(versions)
    if missing := [room_id for room_id in versions if room_id not in found]:
        snapshots = select(rooms.c.room_id, rooms.c.version, rooms.c.snapshot).where(
            rooms.c.room_id.in_(missing)
        )
        for row in await session.execute(snapshots):
            found[row.room_id] = _ROOMS.of(row.room_id, row.version, row.snapshot)
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


_E = TypeVar("_E", bound=Event)


class _Validated(Generic[_E]):
    """A kind's snapshots validated so far in this process, by id and read-model version
    (immutable: `Event` is frozen): a snapshot with a new version is a new key, an old one is
    simply never asked for again. Bounded: emptied past `kept`."""

    def __init__(self, model: type[_E], kept: int = 20_000) -> None:
        self._model: type[_E] = model
        self._kept = kept
        self._seen: dict[tuple[uuid.UUID, int], _E] = {}

    def known(self, versions: Mapping[uuid.UUID, int]) -> dict[uuid.UUID, _E]:
        """Those of `versions` validated at that version before."""
        seen = self._seen
        return {i: known for i, v in versions.items() if (known := seen.get((i, v))) is not None}

    def of(self, item_id: uuid.UUID, version: int, snapshot: Any) -> _E:
        """The snapshot of a read-model row, validated the first time it is seen."""
        if (known := self._seen.get((item_id, version))) is None:
            if len(self._seen) > self._kept:
                self._seen.clear()
            known = self._seen[item_id, version] = self._model.model_validate(snapshot)
        return known


_ROOMS = _Validated(OperatingRoomUpserted)
_STAFF = _Validated(StaffMemberUpserted)
_EQUIPMENT = _Validated(EquipmentUpserted)


async def staff_by_id(
    session: AsyncSession, ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, StaffMemberUpserted]:
    if ids is None:
        read = await session.execute(select(staff.c.staff_id, staff.c.version, staff.c.snapshot))
    else:
        read = await session.execute(_STAFF_OF, {"ids": list(ids)})
    return {row.staff_id: _STAFF.of(row.staff_id, row.version, row.snapshot) for row in read}


async def staff_at(
    session: AsyncSession, versions: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, StaffMemberUpserted]:
    """The people of `versions`, their read-model versions read with something else: those
    this process has validated at that version as they were, the others (new to it) read in
    one statement at the version they now have (as `rooms_by_id` does)."""
    found = _STAFF.known(versions)
    if missing := [staff_id for staff_id in versions if staff_id not in found]:
        found |= await staff_by_id(session, missing)
    return found


def room_of(room_id: uuid.UUID, version: int, snapshot: Any) -> OperatingRoomUpserted:
    """The room of a read-model row, validated once per process and version."""
    return _ROOMS.of(room_id, version, snapshot)


def equipment_of(equipment_id: uuid.UUID, version: int, snapshot: Any) -> EquipmentUpserted:
    """The equipment of a read-model row, validated once per process and version."""
    return _EQUIPMENT.of(equipment_id, version, snapshot)


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
