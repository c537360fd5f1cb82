"""The resources topics are compacted logs of whole snapshots: a new consumer rebuilds from them."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from contracts.envelope import Event
from resources_service import rooms
from resources_service.api.schemas.rooms import RoomCreate, RoomExceptionCreate

from tests.integration.resources.world import (
    RESOURCES_TOPICS,
    Resources,
    fold,
    read_whole_topics,
    topic_configs,
)

pytestmark = pytest.mark.integration

HOURS = {"monday": [{"start": "08:00", "end": "16:00"}]}


def room(code: str, **changes) -> RoomCreate:
    body = {"code": code, "name": f"Room {code}", "weekly_hours": HOURS, **changes}
    return RoomCreate.model_validate(body)


def window(kind: str, start: str, end: str) -> RoomExceptionCreate:
    return RoomExceptionCreate(
        kind=kind, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end)
    )


async def change_rooms(resources: Resources, prefix: str) -> list[uuid.UUID]:
    """A room changed several times, one retired after a removed window, one left as created."""
    changed = await resources.change(rooms.create, room(f"{prefix}-A"))
    await resources.change(
        rooms.replace,
        changed,
        room(f"{prefix}-A", name="Renamed", capabilities=["neuro"]),
        if_match='"1"',
    )
    await resources.change(
        rooms.add_exception,
        changed,
        window("closure", "2027-03-29T08:00:00+02:00", "2027-03-29T12:00:00+02:00"),
        if_match=None,
    )
    await resources.change(
        rooms.add_exception,
        changed,
        window("extended_hours", "2027-03-30T16:00:00+02:00", "2027-03-30T19:00:00+02:00"),
        if_match=None,
    )
    retired = await resources.change(rooms.create, room(f"{prefix}-B", status="maintenance"))
    maintenance = await resources.change(
        rooms.add_exception,
        retired,
        window("maintenance", "2027-04-01T08:00:00+02:00", "2027-04-01T09:00:00+02:00"),
        if_match=None,
    )
    await resources.change(rooms.remove_exception, retired, maintenance, if_match=None)
    await resources.change(rooms.retire, retired, if_match='"3"')
    untouched = await resources.change(rooms.create, room(f"{prefix}-C"))
    return [changed, retired, untouched]


async def room_snapshots(resources: Resources, ids: list[uuid.UUID]) -> dict[str, Event]:
    zone = resources.settings.hospital_timezone

    async def query(session):
        return {str(i): rooms.snapshot(await rooms.get(session, i), zone) for i in ids}

    return await resources.read(query)


async def test_a_fresh_consumer_rebuilds_the_same_state_from_the_compacted_topics(resources):
    prefix = uuid.uuid4().hex[:8]
    async with resources.relaying():
        room_ids = await change_rooms(resources, prefix)

    rebuilt = fold(await read_whole_topics(*RESOURCES_TOPICS))

    expected = await room_snapshots(resources, room_ids)
    assert {key: rebuilt.get(key) for key in expected} == expected
    retired = expected[str(room_ids[1])]
    assert retired.retired_at is not None and retired.status == "retired"
    assert retired.exceptions == ()
    assert len(expected[str(room_ids[0])].exceptions) == 2


async def test_every_resources_topic_is_compacted():
    configs = await topic_configs(*RESOURCES_TOPICS)

    assert {name: c["cleanup.policy"] for name, c in configs.items()} == {
        name: "compact" for name in RESOURCES_TOPICS
    }
