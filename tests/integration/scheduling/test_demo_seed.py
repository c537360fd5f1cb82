"""The demo waiting list seeds once on the demo hospital, through the service's own functions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from contracts.envelope import Envelope
from contracts.registry import resolve
from resources_service.demo import demo as resources_demo
from scheduling_service.demo import demo
from servicekit.db import UnitOfWork, create_engine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KIT_DATABASE_URL
from tests.integration.resources.world import Resources, resources_engine
from tests.integration.scheduling.world import Scheduling
from tests.integration.servicekit.effects import create_schema

SNAPSHOTS = ("OperatingRoomUpserted", "StaffMemberUpserted", "EquipmentUpserted", "BlockAllocated")


@pytest.fixture
async def demo_resources() -> AsyncIterator[Resources]:
    """A resources service of its own, in a second schema, with the demo hospital seeded."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    plain = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=name)
    await create_schema(plain)
    await plain.dispose()
    engine = await resources_engine(name)
    resources = Resources(engine=engine, schema=name)
    sessions = async_sessionmaker(engine)
    await resources_demo.seed(
        SimpleNamespace(
            settings=resources.settings, unit_of_work=lambda: UnitOfWork(sessions, "resources")
        )
    )
    yield resources
    await engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await admin.dispose()


async def _snapshots(engine: AsyncEngine) -> list:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT envelope FROM outbox WHERE event_type = ANY(:types) ORDER BY id"),
            {"types": list(SNAPSHOTS)},
        )
        envelopes = [Envelope.model_validate(row[0]) for row in rows]
    return [resolve(e.event_type, e.event_version).model_validate(e.data) for e in envelopes]


async def _scalar(scheduling: Scheduling, sql: str) -> int:
    async with scheduling.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_seeds_two_weeks_of_requests_some_booked_some_done_once(
    scheduling: Scheduling, demo_resources: Resources
) -> None:
    await scheduling.know(*await _snapshots(demo_resources.engine))
    sessions = async_sessionmaker(scheduling.engine)
    runtime = SimpleNamespace(
        settings=scheduling.settings, unit_of_work=lambda: UnitOfWork(sessions, "scheduling")
    )
    await demo.seed(runtime)
    counts = {
        status: await _scalar(
            scheduling, f"SELECT count(*) FROM surgery_requests WHERE status = '{status}'"
        )
        for status in ("requested", "scheduled", "confirmed", "completed", "cancelled")
    }
    events = await _scalar(scheduling, "SELECT count(*) FROM outbox")
    await demo.seed(runtime)

    assert await _scalar(scheduling, "SELECT count(*) FROM outbox") == events  # seeded once
    assert sum(counts.values()) == sum(demo.REQUESTS_PER_SPECIALTY.values())
    assert counts["completed"] >= 10, counts
    assert counts["cancelled"] == 1, counts
    assert counts["scheduled"] + counts["confirmed"] >= 15, counts
    assert counts["requested"] >= 10, counts
    completed_with_times = await _scalar(
        scheduling,
        "SELECT count(*) FROM surgery_requests WHERE status = 'completed'"
        " AND wheels_out > wheels_in",
    )
    assert completed_with_times == counts["completed"]
