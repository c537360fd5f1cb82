"""Equipment: each change writes it, its full snapshot with every unit, and an audit record."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor
from contracts.events.resources_equipment import (
    EquipmentRetired,
    EquipmentUnit,
    EquipmentUpserted,
)
from contracts.values import TimeWindow
from servicekit.db import UnitOfWork
from servicekit.pages import PageRequest, containing, fetch_page, ordering
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records, windows
from resources_service.commands import EquipmentState, NewEquipment, NewUnit, details_of
from resources_service.db.tables import equipment, equipment_units, unit_maintenance
from resources_service.domain.equipment_rules import rooms_after
from resources_service.equipment import checks

WHAT = "equipment"
SORTABLE: dict[str, ColumnElement[Any]] = {
    "name": equipment.c.name,
    "equipment_type": equipment.c.equipment_type,
    "updated_at": equipment.c.updated_at,
}


@dataclass(frozen=True, slots=True)
class EquipmentFilter:
    equipment_type: str | None = None
    mobile: bool | None = None
    search: str | None = None  # in the name
    include_retired: bool = False
    sort: str = "name"


@dataclass(frozen=True, slots=True)
class Equipment:
    row: Row[Any]
    units: list[Row[Any]]  # in the order they were added, retired ones too
    maintenance: dict[uuid.UUID, list[Row[Any]]]  # of each unit, in time order


async def get(session: AsyncSession, equipment_id: uuid.UUID) -> Equipment:
    row = await records.find(session, equipment, equipment_id, WHAT)
    units = (await units_of(session, [equipment_id]))[equipment_id]
    maintenance: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for window in await windows.of(
        session, unit_maintenance, ("unit_id", [u.unit_id for u in units])
    ):
        maintenance[window.unit_id].append(window)
    return Equipment(row, units, maintenance)


async def units_of(
    session: AsyncSession, equipment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    """The units of each piece of equipment, in one query, in the order they were added."""
    units = equipment_units
    rows = await session.execute(
        select(units)
        .where(units.c.equipment_id.in_(equipment_ids))
        .order_by(units.c.equipment_id, units.c.position)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = {equipment_id: [] for equipment_id in equipment_ids}
    for unit in rows:
        found[unit.equipment_id].append(unit)
    return found


async def list_equipment(
    session: AsyncSession, where: EquipmentFilter, page: PageRequest
) -> tuple[list[Row[Any]], dict[uuid.UUID, list[Row[Any]]], int]:
    """A page of equipment, the units of each, and how many match in all."""
    table = equipment
    conditions: list[ColumnElement[bool]] = []
    if not where.include_retired:
        conditions.append(table.c.retired_at.is_(None))
    if where.equipment_type:
        conditions.append(table.c.equipment_type == where.equipment_type)
    if where.mobile is not None:
        conditions.append(table.c.mobile.is_(where.mobile))
    if where.search:
        pattern = containing(where.search.lower())
        conditions.append(func.lower(table.c.name).like(pattern, escape="\\"))
    order = (ordering(where.sort, SORTABLE), table.c.equipment_id)
    rows, total = await fetch_page(session, table, conditions, order, page)
    return rows, await units_of(session, [row.equipment_id for row in rows]), total


async def create(uow: UnitOfWork, body: NewEquipment, *, actor: Actor) -> Equipment:
    equipment_id = await stage_create(uow, body, actor=actor)
    return await committed(uow, equipment_id)


async def stage_create(uow: UnitOfWork, body: NewEquipment, *, actor: Actor) -> uuid.UUID:
    """`create` without the commit, for a caller that commits many changes as one (the seed)."""
    checks.ensure_valid_units(
        body.mobile, [(u.label, u.serial_number, u.fixed_room_id) for u in body.units]
    )
    await checks.ensure_rooms_in_service(uow.session, (u.fixed_room_id for u in body.units))
    await checks.ensure_serials_free(uow.session, (u.serial_number for u in body.units))
    equipment_id = uuid.uuid4()
    fields = _own_fields(body)
    await uow.session.execute(equipment.insert().values(equipment_id=equipment_id, **fields))
    await insert_units(uow.session, equipment_id, body.units, first_position=0)
    await changed(uow, equipment_id, actor, "equipment.create", details_of(body))
    return equipment_id


async def insert_units(
    session: AsyncSession,
    equipment_id: uuid.UUID,
    units: Sequence[NewUnit],
    *,
    first_position: int,
) -> list[uuid.UUID]:
    rows: list[dict[str, Any]] = [
        {"unit_id": uuid.uuid4(), "equipment_id": equipment_id, "position": first_position + i}
        | asdict(unit)
        for i, unit in enumerate(units)
    ]
    if rows:
        await session.execute(equipment_units.insert(), rows)
    return [row["unit_id"] for row in rows]


async def replace(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    body: EquipmentState,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    moves = await _unit_rooms_after(uow.session, equipment_id, body)
    await records.bump(uow.session, equipment, equipment_id, **_own_fields(body))
    if moves:
        await uow.session.execute(
            update(equipment_units)
            .where(equipment_units.c.unit_id == bindparam("moved_unit"))
            .values(fixed_room_id=bindparam("new_room")),
            [{"moved_unit": unit, "new_room": room} for unit, room in moves.items()],
        )
    await changed(uow, equipment_id, actor, "equipment.update", details_of(body))
    return await committed(uow, equipment_id)


async def _unit_rooms_after(
    session: AsyncSession, equipment_id: uuid.UUID, body: EquipmentState
) -> dict[uuid.UUID, uuid.UUID | None]:
    """The units in service whose room changes, by unit id; refused unless each stands right."""
    units = [u for u in (await units_of(session, [equipment_id]))[equipment_id] if not u.retired_at]
    if strangers := set(body.unit_rooms) - {u.unit_id for u in units}:
        raise Problem(
            422,
            "unit_rooms names what is not a unit in service of this equipment: "
            + ", ".join(sorted(map(str, strangers)))
            + ".",
            title=checks.INVALID,
        )
    after = rooms_after(body.mobile, {u.unit_id: u.fixed_room_id for u in units}, body.unit_rooms)
    checks.ensure_placed(body.mobile, [(u.label, after[u.unit_id]) for u in units])
    await checks.ensure_rooms_in_service(session, body.unit_rooms.values())
    return {u.unit_id: after[u.unit_id] for u in units if after[u.unit_id] != u.fixed_room_id}


async def retire(
    uow: UnitOfWork, equipment_id: uuid.UUID, *, actor: Actor, if_match: str | None
) -> Equipment:
    """Retires the equipment and every unit of it still in service; bookings keep naming them."""
    await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    now = datetime.now(UTC)
    await uow.session.execute(
        update(equipment_units)
        .where(
            equipment_units.c.equipment_id == equipment_id, equipment_units.c.retired_at.is_(None)
        )
        .values(status="retired", retired_at=now)
    )
    await records.bump(uow.session, equipment, equipment_id, retired_at=now)
    retired = await get(uow.session, equipment_id)
    await records.publish(
        uow,
        snapshot(retired),
        actor=actor,
        action="equipment.retire",
        announced=EquipmentRetired(
            equipment_id=equipment_id, retired_at=now, version=retired.row.version
        ),
    )
    return await committed(uow, equipment_id)


def snapshot(item: Equipment) -> EquipmentUpserted:
    row = item.row
    return EquipmentUpserted(
        equipment_id=row.equipment_id,
        name=row.name,
        equipment_type=row.equipment_type,
        units=tuple(
            EquipmentUnit(
                unit_id=u.unit_id,
                label=u.label,
                serial_number=u.serial_number,
                status=u.status,
                fixed_room_id=u.fixed_room_id,
                maintenance_windows=tuple(
                    TimeWindow(start=w.period.lower, end=w.period.upper)
                    for w in item.maintenance.get(u.unit_id, [])
                ),
            )
            for u in item.units
        ),
        mobile=row.mobile,
        turnaround_minutes=row.turnaround_minutes,
        version=row.version,
        retired_at=row.retired_at,
    )


async def committed(uow: UnitOfWork, equipment_id: uuid.UUID) -> Equipment:
    """The equipment as this change left it, read before the one commit that ends the change."""
    item = await get(uow.session, equipment_id)
    await uow.commit()
    return item


def _own_fields(body: NewEquipment | EquipmentState) -> dict[str, Any]:
    return {
        "name": body.name,
        "equipment_type": body.equipment_type,
        "mobile": body.mobile,
        "turnaround_minutes": body.turnaround_minutes,
    }


async def changed(
    uow: UnitOfWork, equipment_id: uuid.UUID, actor: Actor, action: str, details: dict[str, Any]
) -> None:
    """Publishes the equipment's new snapshot and records who changed it."""
    item = await get(uow.session, equipment_id)
    await records.publish(uow, snapshot(item), actor=actor, action=action, details=details)
