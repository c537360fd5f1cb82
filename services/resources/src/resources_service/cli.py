"""The resources service's own commands: re-publishing every record's snapshot from its database.

The compacted topics (rooms, staff, equipment, blocks) are what scheduling and the optimizer
rebuild their read models from. After a restore of Kafka from nothing, or of this database to
an earlier moment, `republish-snapshots` writes every record's snapshot, as it stands, to the
outbox in one transaction; the relay sends them on. The read models apply a snapshot only when
it is newer than what they hold (`version`), so a republish is harmless to them.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from contracts.envelope import Event
from servicekit import audit
from servicekit.cli import Command
from servicekit.db import UnitOfWork
from servicekit.service import Runtime
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import blocks, rooms, staff
from resources_service.db.tables import blocks as block_table
from resources_service.db.tables import equipment, operating_rooms, staff_members
from resources_service.equipment import pieces
from resources_service.settings import ResourcesSettings

Snapshot = Callable[[AsyncSession, Any], Awaitable[Event]]


def _kinds(timezone: str) -> dict[str, tuple[Table, Snapshot]]:
    """Each kind of record: its table, and its snapshot read from the database."""

    async def room(session: AsyncSession, key: Any) -> Event:
        return rooms.snapshot(await rooms.get(session, key), timezone)

    async def member(session: AsyncSession, key: Any) -> Event:
        return staff.snapshot(await staff.get(session, key), timezone)

    async def piece(session: AsyncSession, key: Any) -> Event:
        return pieces.snapshot(await pieces.get(session, key))

    async def block(session: AsyncSession, key: Any) -> Event:
        return blocks.snapshot(await blocks.get(session, key))

    return {
        "operating rooms": (operating_rooms, room),
        "staff members": (staff_members, member),
        "equipment": (equipment, piece),
        "blocks": (block_table, block),
    }


async def stage_snapshots(uow: UnitOfWork, timezone: str) -> dict[str, int]:
    """Every record's snapshot, retired ones too (their last word), added to the outbox.

    Each table's rows are share-locked first: a change waits until this transaction commits, so
    its own newer snapshot always follows the republished one on the topic, and compaction
    keeps the newer one.
    """
    counts: dict[str, int] = {}
    for kind, (table, snapshot_of) in _kinds(timezone).items():
        key = table.primary_key.columns.values()[0]
        keys = (
            await uow.session.scalars(select(key).order_by(key).with_for_update(read=True))
        ).all()
        for record_id in keys:
            await uow.outbox.add(await snapshot_of(uow.session, record_id))
        counts[kind] = len(keys)
    await audit.record(
        uow,
        actor=audit.service_actor("resources"),
        action="snapshots.republish",
        record_type="snapshots",
        record_id="resources",
        details=dict(counts),
    )
    return counts


async def republish_snapshots(
    runtime: Runtime[ResourcesSettings], args: argparse.Namespace
) -> None:
    async with runtime.unit_of_work() as uow:
        counts = await stage_snapshots(uow, runtime.settings.hospital_timezone)
        await uow.commit()
    print("republished " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))


COMMANDS: dict[str, Command[ResourcesSettings]] = {
    "republish-snapshots": Command(
        "write every room's, staff member's, equipment's and block's snapshot to the outbox",
        republish_snapshots,
    ),
}
