"""The read model of resources: the latest snapshot of each room, staff member, equipment, block.

Each topic is compacted by entity id and every change ends with the entity's whole snapshot, so
the read model only ever applies snapshots, and only one newer than what it holds (`version`):
a redelivered or replayed older snapshot changes nothing. The announcing events (`…Retired`,
`BlockReleased`) are followed by their snapshot in the same transaction, so they need no effect
of their own here.
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

from scheduling_service.db.tables import blocks, equipment, equipment_units, rooms, staff


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
    await _keep_newest(
        session,
        rooms,
        event,
        code=event.code,
        name=event.name,
        status=event.status.value,
        capabilities=list(event.capabilities),
    )


async def on_staff(session: AsyncSession, event: StaffMemberUpserted, _: Envelope) -> None:
    await _keep_newest(
        session,
        staff,
        event,
        name=event.name,
        role=event.role.value,
        specialties=list(event.specialties),
        status=event.status.value,
        user_id=event.user_id,
        max_minutes_per_day=event.max_minutes_per_day,
    )


async def on_equipment(session: AsyncSession, event: EquipmentUpserted, _: Envelope) -> None:
    stored = await _keep_newest(
        session,
        equipment,
        event,
        name=event.name,
        equipment_type=event.equipment_type,
        mobile=event.mobile,
        turnaround_minutes=event.turnaround_minutes,
    )
    if not stored:
        return
    await session.execute(
        delete(equipment_units).where(equipment_units.c.equipment_id == event.equipment_id)
    )
    if event.units:
        await session.execute(
            insert(equipment_units),
            [
                {
                    "unit_id": unit.unit_id,
                    "equipment_id": event.equipment_id,
                    "equipment_type": event.equipment_type,
                    "label": unit.label,
                    "status": unit.status.value,
                    "fixed_room_id": unit.fixed_room_id,
                    "turnaround_minutes": event.turnaround_minutes,
                    "retired_at": event.retired_at,
                }
                for unit in event.units
            ],
        )


async def on_block(session: AsyncSession, event: BlockAllocated, _: Envelope) -> None:
    await _keep_newest(
        session,
        blocks,
        event,
        room_id=event.room_id,
        surgeon_id=event.surgeon_id,
        service=event.service,
    )


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
