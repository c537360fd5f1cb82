"""The FHIR read model of rooms, staff, equipment units and blocks: its event handlers.

Each resources topic is compacted by entity id and every change ends with the entity's whole
snapshot, so only snapshots are applied, and only one newer than the one held (`version`): a
redelivered or replayed older snapshot changes nothing (the consumer's inbox already skips a
redelivered event id). The announcing events (`…Retired`, `BlockReleased`) are followed by
their snapshot in the same transaction and need no effect of their own. As scheduling's read
model of resources does (`scheduling_service/handlers/resources.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.events.resources_blocks import BlockAllocated, BlockReleased
from contracts.events.resources_equipment import EquipmentRetired, EquipmentUpserted
from contracts.events.resources_operating_rooms import (
    OperatingRoomRetired,
    OperatingRoomUpserted,
)
from contracts.events.resources_staff import StaffMemberRetired, StaffMemberUpserted
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy import Table, delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_resources import (
    fhir_blocks,
    fhir_equipment,
    fhir_rooms,
    fhir_staff,
    fhir_units,
)
from interop_service.domain.fhir_resources import device_active, location_status, staff_active
from interop_service.domain.fhir_resources_codes import practitioner_role_id


async def _keep_newest(session: AsyncSession, table: Table, event: Event, **columns: Any) -> bool:
    """Stores the snapshot unless one as new is held; True when it was stored."""
    key = table.primary_key.columns.values()[0]
    values = {
        key.name: getattr(event, key.name),
        # Every snapshot of resources carries these; `Event`, the type the handlers share, does not.
        "version": event.version,  # type: ignore[attr-defined]
        "retired_at": event.retired_at,  # type: ignore[attr-defined]
        "snapshot": event.model_dump(mode="json"),
        **columns,
    }
    upsert = insert(table).values(**values)
    statement = upsert.on_conflict_do_update(
        index_elements=[key],
        set_={**{k: v for k, v in values.items() if k != key.name}, "received_at": func.now()},
        where=table.c.version < upsert.excluded.version,
    ).returning(key)
    return (await session.execute(statement)).first() is not None


async def on_room(session: AsyncSession, event: OperatingRoomUpserted, _: Envelope) -> None:
    await _keep_newest(session, fhir_rooms, event, name=event.name, status=location_status(event))


async def on_staff(session: AsyncSession, event: StaffMemberUpserted, _: Envelope) -> None:
    await _keep_newest(
        session,
        fhir_staff,
        event,
        name=event.name,
        role=event.role.value,
        role_id=practitioner_role_id(event.staff_id, event.role.value),
        active=staff_active(event),
    )


async def on_equipment(session: AsyncSession, event: EquipmentUpserted, _: Envelope) -> None:
    stored = await _keep_newest(session, fhir_equipment, event, equipment_type=event.equipment_type)
    if not stored:
        return
    await session.execute(delete(fhir_units).where(fhir_units.c.equipment_id == event.equipment_id))
    if event.units:
        await session.execute(
            insert(fhir_units),
            [
                {
                    "unit_id": unit.unit_id,
                    "equipment_id": event.equipment_id,
                    "equipment_type": event.equipment_type,
                    "status": "active" if device_active(event, unit) else "inactive",
                    "room_id": unit.fixed_room_id,
                }
                for unit in event.units
            ],
        )


async def on_block(session: AsyncSession, event: BlockAllocated, _: Envelope) -> None:
    await _keep_newest(session, fhir_blocks, event, room_id=event.room_id)


async def _followed_by_snapshot(session: AsyncSession, event: Event, _: Envelope) -> None:
    """An announcing event: its snapshot comes next on the same key and says it all."""


def register(handlers: HandlerMap, *, topics: Mapping[str, str] | None = None) -> HandlerMap:
    """`topics` maps a contract topic name to another one to read instead, for tests."""
    rename = topics or {}
    for event_class, handler in (
        (OperatingRoomUpserted, on_room),
        (OperatingRoomRetired, _followed_by_snapshot),
        (StaffMemberUpserted, on_staff),
        (StaffMemberRetired, _followed_by_snapshot),
        (EquipmentUpserted, on_equipment),
        (EquipmentRetired, _followed_by_snapshot),
        (BlockAllocated, on_block),
        (BlockReleased, _followed_by_snapshot),
    ):
        topic = event_class.topic.name
        handlers.on(event_class, handler, topic=rename.get(topic, topic))
    return handlers
