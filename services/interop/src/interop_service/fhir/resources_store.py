"""Reading the FHIR read model of resources: pages of snapshots matching a search, as the
contract models the mapping takes (`domain/fhir_resources.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from contracts.envelope import Event
from contracts.events.resources_blocks import BlockAllocated
from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from servicekit.pages import containing
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_resources import (
    fhir_blocks,
    fhir_equipment,
    fhir_rooms,
    fhir_staff,
    fhir_units,
)

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Page:
    offset: int
    count: int


def name_matches(column: ColumnElement[str], modifier: str, value: str) -> ColumnElement[bool]:
    """FHIR string matching: by default the name or one of its words starts with `value`,
    ignoring case; `:exact` the whole name, case included; `:contains` anywhere."""
    if modifier == "exact":
        return column == value
    lowered = func.lower(column)
    text = value.lower()
    if modifier == "contains":
        return lowered.like(containing(text), escape="\\")
    prefix = containing(text)[1:]  # the escaped text and a trailing %
    return or_(lowered.like(prefix, escape="\\"), lowered.like(f"% {prefix}", escape="\\"))


async def _page(
    session: AsyncSession, query: Select[Any], key: ColumnElement[Any], page: Page
) -> tuple[list[dict[str, Any]], int]:
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(key).offset(page.offset).limit(page.count))
    return list(rows), int(total or 0)


async def rooms(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], page: Page
) -> tuple[list[OperatingRoomUpserted], int]:
    """A page of rooms; a snapshot is validated once per process and version (`_ROOMS`), since
    a Slot search reads every room in service."""
    query = select(fhir_rooms.c.room_id, fhir_rooms.c.version).where(*conditions)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(fhir_rooms.c.room_id).offset(page.offset).limit(page.count)
    keys = [(row.room_id, row.version) for row in await session.execute(ordered)]
    fetched: dict[uuid.UUID, OperatingRoomUpserted] = {}
    if missing := [room_id for room_id, version in keys if (room_id, version) not in _ROOMS]:
        if len(_ROOMS) > _ROOMS_KEPT:
            _ROOMS.clear()
        read = select(fhir_rooms.c.version, fhir_rooms.c.snapshot)
        for row in await session.execute(read.where(fhir_rooms.c.room_id.in_(missing))):
            room = OperatingRoomUpserted.model_validate(row.snapshot)
            _ROOMS[room.room_id, row.version] = fetched[room.room_id] = room
    # A newer snapshot stored between the two reads is served as it is now.
    found = [_ROOMS.get(key) or fetched.get(key[0]) for key in keys]
    return [room for room in found if room is not None], int(total or 0)


# The rooms' snapshots validated so far, by room and version (immutable: `Event` is frozen).
_ROOMS: dict[tuple[uuid.UUID, int], OperatingRoomUpserted] = {}
_ROOMS_KEPT = 20_000


async def staff(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], page: Page
) -> tuple[list[StaffMemberUpserted], int]:
    query = select(fhir_staff.c.snapshot).where(*conditions)
    found, total = await _page(session, query, fhir_staff.c.staff_id, page)
    return [StaffMemberUpserted.model_validate(s) for s in found], total


async def units(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], page: Page
) -> tuple[list[tuple[EquipmentUpserted, EquipmentUnit]], int]:
    """A page of units matching `conditions` (on `fhir_units`), each with its equipment."""
    query = select(fhir_units.c.unit_id).where(*conditions)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    unit_ids = list(
        await session.scalars(
            query.order_by(fhir_units.c.unit_id).offset(page.offset).limit(page.count)
        )
    )
    return await units_by_id(session, unit_ids), int(total or 0)


async def units_by_id(
    session: AsyncSession, unit_ids: Sequence[uuid.UUID]
) -> list[tuple[EquipmentUpserted, EquipmentUnit]]:
    """The units of `unit_ids` in that order, each with its equipment's snapshot."""
    owners = select(fhir_units.c.equipment_id).where(fhir_units.c.unit_id.in_(list(unit_ids)))
    snapshots = await session.scalars(
        select(fhir_equipment.c.snapshot).where(fhir_equipment.c.equipment_id.in_(owners))
    )
    found: dict[uuid.UUID, tuple[EquipmentUpserted, EquipmentUnit]] = {}
    for snapshot in snapshots:
        equipment = EquipmentUpserted.model_validate(snapshot)
        found.update({unit.unit_id: (equipment, unit) for unit in equipment.units})
    return [found[unit_id] for unit_id in unit_ids if unit_id in found]


async def rooms_by_id(
    session: AsyncSession, room_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, OperatingRoomUpserted]:
    found, _ = await rooms(session, [fhir_rooms.c.room_id.in_(list(room_ids))], Page(0, 10_000))
    return {room.room_id: room for room in found}


async def staff_by_id(
    session: AsyncSession, staff_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, StaffMemberUpserted]:
    found, _ = await staff(session, [fhir_staff.c.staff_id.in_(list(staff_ids))], Page(0, 10_000))
    return {member.staff_id: member for member in found}


async def live_blocks(
    session: AsyncSession, room_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[BlockAllocated]]:
    """Per room, its blocks not retired."""
    snapshots = await session.scalars(
        select(fhir_blocks.c.snapshot).where(
            fhir_blocks.c.retired_at.is_(None), fhir_blocks.c.room_id.in_(list(room_ids))
        )
    )
    by_room: dict[uuid.UUID, list[BlockAllocated]] = {}
    for snapshot in snapshots:
        block = BlockAllocated.model_validate(snapshot)
        by_room.setdefault(block.room_id, []).append(block)
    return by_room
