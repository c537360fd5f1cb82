"""`republish-snapshots` rebuilds the compacted topics' content from the database alone."""

from __future__ import annotations

import uuid

import pytest
from resources_service.cli import stage_snapshots
from servicekit.db import UnitOfWork
from sqlalchemy import text

from tests.integration.resources.test_compacted_topics import (
    change_blocks,
    change_equipment,
    change_rooms,
    change_staff,
)
from tests.integration.resources.world import SNAPSHOT_EVENTS, Resources

pytestmark = pytest.mark.integration


async def outbox(resources: Resources) -> list[tuple[str, str, dict]]:
    async def query(session):
        rows = await session.execute(
            text("SELECT message_key, event_type, envelope FROM outbox ORDER BY id")
        )
        return [(row.message_key, row.event_type, row.envelope["data"]) for row in rows]

    return await resources.read(query)


def latest_snapshots(events: list[tuple[str, str, dict]]) -> dict[str, list[dict]]:
    """Each key's snapshots, in the order they were written."""
    found: dict[str, list[dict]] = {}
    for key, event_type, data in events:
        if event_type in SNAPSHOT_EVENTS:
            found.setdefault(key, []).append(data)
    return found


async def test_a_republish_writes_each_records_latest_snapshot_once_retired_ones_included(
    resources: Resources,
):
    prefix = uuid.uuid4().hex[:8]
    ids = {"rooms": await change_rooms(resources, prefix)}
    ids["staff"] = await change_staff(resources, prefix)
    ids["equipment"] = await change_equipment(resources, prefix, ids["rooms"][0])
    ids["blocks"] = await change_blocks(
        resources, [ids["rooms"][0], ids["rooms"][2]], ids["staff"][2]
    )
    written = {key: found[-1] for key, found in latest_snapshots(await outbox(resources)).items()}
    # As if every event had long been relayed and the topics were then lost.
    async with resources.engine.begin() as conn:
        await conn.execute(text("DELETE FROM outbox"))

    async def republish(uow: UnitOfWork) -> dict[str, int]:
        counts = await stage_snapshots(uow, resources.settings.hospital_timezone)
        await uow.commit()
        return counts

    counts = await resources.change(republish)

    events = await outbox(resources)
    republished = latest_snapshots(events)
    assert republished == {key: [data] for key, data in written.items()}
    assert len(republished) == 12
    assert all(
        republished[str(retired)][0]["retired_at"] is not None
        for retired in (kind[1] for kind in ids.values())
    )
    assert counts == {"operating rooms": 3, "staff members": 3, "equipment": 3, "blocks": 3}
    (audit,) = [data for _, event_type, data in events if event_type == "AuditRecorded"]
    assert (audit["action"], audit["details"]) == ("snapshots.republish", counts)
