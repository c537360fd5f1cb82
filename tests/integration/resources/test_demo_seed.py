"""The demo hospital seeds through the service functions, once, with an event per record."""

from __future__ import annotations

from types import SimpleNamespace

from resources_service.db.tables import blocks, equipment_units, operating_rooms, staff_members
from resources_service.demo import demo
from servicekit.db import UnitOfWork
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.integration.resources.world import Resources


def _runtime(resources: Resources) -> SimpleNamespace:
    sessions = async_sessionmaker(resources.engine)
    return SimpleNamespace(
        settings=resources.settings, unit_of_work=lambda: UnitOfWork(sessions, "resources")
    )


async def _counts(resources: Resources) -> dict[str, int]:
    async def count(session, table) -> int:
        return int(await session.scalar(select(func.count()).select_from(table)))

    async def all_counts(session) -> dict[str, int]:
        tables = {
            "rooms": operating_rooms,
            "staff": staff_members,
            "units": equipment_units,
            "blocks": blocks,
        }
        counts = {name: await count(session, table) for name, table in tables.items()}
        counts["events"] = int(await session.scalar(text("SELECT count(*) FROM outbox")))
        return counts

    return await resources.read(all_counts)


async def test_demo_hospital_is_seeded_once_with_a_snapshot_event_for_every_record(
    resources: Resources,
) -> None:
    await demo.seed(_runtime(resources))
    first = await _counts(resources)
    await demo.seed(_runtime(resources))

    assert await _counts(resources) == first
    assert 8 <= first["rooms"] <= 12
    assert 38 <= first["staff"] <= 45
    assert first["units"] >= 15
    assert first["blocks"] >= 10
    # One snapshot and one audit record per room, staff member, piece of equipment and block.
    records = first["rooms"] + first["staff"] + first["blocks"] + len(demo.EQUIPMENT)
    assert first["events"] == 2 * records
