"""Each change leaves, in its own transaction, its events in order and who made it."""

from __future__ import annotations

import uuid

import pytest
from resources_service import rooms
from resources_service.api.schemas.rooms import RoomCreate
from sqlalchemy import text

from tests.integration.resources.world import Resources

pytestmark = pytest.mark.integration
HOURS = {"monday": [{"start": "08:00", "end": "16:00"}]}


async def outbox(resources: Resources) -> list[tuple[str, dict]]:
    async def query(session):
        rows = await session.execute(text("SELECT event_type, envelope FROM outbox ORDER BY id"))
        return [(row.event_type, row.envelope["data"]) for row in rows]

    return await resources.read(query)


async def test_a_retirement_is_announced_then_described_whole_then_audited(resources: Resources):
    body = RoomCreate(code=f"E-{uuid.uuid4().hex[:6]}", name="Events", weekly_hours=HOURS)
    room_id = (await resources.change(rooms.create, body.command())).row.room_id
    await resources.change(rooms.retire, room_id, if_match='"1"')

    events = await outbox(resources)

    assert [event_type for event_type, _ in events] == [
        "OperatingRoomUpserted",
        "AuditRecorded",
        "OperatingRoomRetired",
        "OperatingRoomUpserted",
        "AuditRecorded",
    ]
    audits = [data for event_type, data in events if event_type == "AuditRecorded"]
    assert [(a["action"], a["record_type"], a["record_id"]) for a in audits] == [
        ("operating_room.create", "operating_room", str(room_id)),
        ("operating_room.retire", "operating_room", str(room_id)),
    ]
    assert audits[0]["actor"] == {"kind": "user", "id": str(resources.actor_id)}
    assert events[3][1]["retired_at"] is not None and events[3][1]["version"] == 2
