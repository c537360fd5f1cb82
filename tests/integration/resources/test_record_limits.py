"""A record never outgrows the snapshot event that carries it: the limits refuse with a 409."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from resources_service import block_release, blocks, rooms, windows
from resources_service.api.schemas.blocks import BlockCreate, BlockReleaseCreate
from resources_service.api.schemas.rooms import RoomCreate, RoomExceptionCreate
from resources_service.commands import RoomException
from servicekit.problems import Problem

from tests.integration.resources.world import Resources

pytestmark = pytest.mark.integration
HOURS = {"monday": [{"start": "08:00", "end": "16:00"}]}


def closure(day: int) -> RoomException:
    start = datetime.fromisoformat("2027-05-03T08:00:00+02:00") + timedelta(days=day)
    window = RoomExceptionCreate(kind="closure", start=start, end=start + timedelta(hours=1))
    return window.command()


async def test_a_room_holds_no_more_dated_exceptions_than_its_snapshot_carries(
    resources: Resources, monkeypatch
):
    monkeypatch.setattr(windows, "MAX_WINDOWS", 2)
    room = RoomCreate(code=f"L-{uuid.uuid4().hex[:6]}", name="Limits", weekly_hours=HOURS)
    room_id = (await resources.change(rooms.create, room.command())).row.room_id
    for day in range(2):
        await resources.change(rooms.add_exception, room_id, closure(day), if_match=None)

    with pytest.raises(Problem) as refused:
        await resources.change(rooms.add_exception, room_id, closure(2), if_match=None)

    assert refused.value.status == 409
    assert len((await resources.read(lambda s: rooms.get(s, room_id))).exceptions) == 2


async def test_a_block_holds_no_more_released_dates_than_its_snapshot_carries(
    resources: Resources, monkeypatch
):
    monkeypatch.setattr(block_release, "MAX_RELEASES", 1)
    room = RoomCreate(code=f"L-{uuid.uuid4().hex[:6]}", name="Limits", weekly_hours=HOURS)
    room_id = (await resources.change(rooms.create, room.command())).row.room_id
    mondays = {"kind": "weekly", "weekdays": ["monday"], "valid_from": "2027-05-03"}
    body = BlockCreate(
        room_id=room_id,
        service="cardiac",
        recurrence=mondays,
        start_time="08:00",
        end_time="12:00",
    )
    block_id = (await resources.change(blocks.allocate, body.command())).row.block_id

    async def release(day: date) -> None:
        await resources.change(
            block_release.release,
            block_id,
            BlockReleaseCreate(date=day).command(),
            user_id=resources.actor_id,
            if_match=None,
        )

    await release(date(2027, 5, 3))
    with pytest.raises(Problem) as refused:
        await release(date(2027, 5, 10))

    assert refused.value.status == 409
    assert (await resources.read(lambda s: blocks.get(s, block_id))).row.version == 2
