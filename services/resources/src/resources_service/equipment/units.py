"""Units of equipment: each change moves the equipment to its next version and snapshot."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor
from servicekit.db import UnitOfWork
from servicekit.problems import Problem
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records, windows
from resources_service.commands import Maintenance, NewUnit, UnitState, details_of
from resources_service.db.tables import equipment, equipment_units, unit_maintenance
from resources_service.equipment import checks, pieces
from resources_service.equipment.pieces import Equipment

WHAT = "equipment"


async def add(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    body: NewUnit,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    parent = await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    await _ensure_acceptable(uow.session, parent, body)
    await checks.ensure_room_for_units(uow.session, equipment_id, adding=1)
    last = (
        await uow.session.execute(
            select(func.coalesce(func.max(equipment_units.c.position), -1)).where(
                equipment_units.c.equipment_id == equipment_id
            )
        )
    ).scalar_one()
    (unit_id,) = await pieces.insert_units(
        uow.session, equipment_id, [body], first_position=last + 1
    )
    details = {**details_of(body), "unit_id": str(unit_id)}
    return await _changed(uow, equipment_id, actor, "equipment.unit_add", details)


async def replace(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    body: UnitState,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    parent = await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    await _unit_in_service(uow.session, equipment_id, unit_id)
    await _ensure_acceptable(uow.session, parent, body, besides=unit_id)
    await uow.session.execute(
        update(equipment_units).where(equipment_units.c.unit_id == unit_id).values(**asdict(body))
    )
    details = {**details_of(body), "unit_id": str(unit_id)}
    return await _changed(uow, equipment_id, actor, "equipment.unit_update", details)


async def retire(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    """The unit stays in the snapshot, retired: bookings may still name it."""
    await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    await _unit_in_service(uow.session, equipment_id, unit_id)
    await uow.session.execute(
        update(equipment_units)
        .where(equipment_units.c.unit_id == unit_id)
        .values(status="retired", retired_at=datetime.now(UTC))
    )
    details = {"unit_id": str(unit_id)}
    return await _changed(uow, equipment_id, actor, "equipment.unit_retire", details)


async def add_maintenance(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    body: Maintenance,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    await _unit_in_service(uow.session, equipment_id, unit_id)
    window_id = await windows.add(
        uow.session,
        unit_maintenance,
        ("unit_id", unit_id),
        body.start,
        body.end,
        "maintenance window",
        note=body.note,
    )
    details = {
        **details_of(body),
        "unit_id": str(unit_id),
        "window_id": str(window_id),
    }
    return await _changed(uow, equipment_id, actor, "equipment.maintenance_add", details)


async def remove_maintenance(
    uow: UnitOfWork,
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    window_id: uuid.UUID,
    *,
    actor: Actor,
    if_match: str | None,
) -> Equipment:
    await records.for_change(uow.session, equipment, equipment_id, WHAT, if_match)
    await _unit_in_service(uow.session, equipment_id, unit_id)
    await windows.remove(uow.session, unit_maintenance, ("unit_id", unit_id), window_id)
    details = {"unit_id": str(unit_id), "window_id": str(window_id)}
    return await _changed(uow, equipment_id, actor, "equipment.maintenance_remove", details)


async def _ensure_acceptable(
    session: AsyncSession,
    parent: Row[Any],
    unit: NewUnit,
    *,
    besides: uuid.UUID | None = None,
) -> None:
    checks.ensure_placed(parent.mobile, [(unit.label, unit.fixed_room_id)])
    await checks.ensure_rooms_in_service(session, [unit.fixed_room_id])
    await checks.ensure_labels_free(session, parent.equipment_id, [unit.label], besides=besides)
    await checks.ensure_serials_free(session, [unit.serial_number], besides=besides)


async def _unit_in_service(
    session: AsyncSession, equipment_id: uuid.UUID, unit_id: uuid.UUID
) -> Row[Any]:
    unit = (
        await session.execute(
            select(equipment_units).where(
                equipment_units.c.unit_id == unit_id,
                equipment_units.c.equipment_id == equipment_id,
            )
        )
    ).first()
    if unit is None:
        raise Problem(404, f"The equipment {equipment_id} has no unit {unit_id}.")
    records.ensure_in_service(unit, "equipment unit")
    return unit


async def _changed(
    uow: UnitOfWork, equipment_id: uuid.UUID, actor: Actor, action: str, details: dict[str, Any]
) -> Equipment:
    """The equipment's next version and snapshot, committed: the end of every unit change."""
    await records.bump(uow.session, equipment, equipment_id)
    await pieces.changed(uow, equipment_id, actor, action, details)
    return await pieces.committed(uow, equipment_id)
