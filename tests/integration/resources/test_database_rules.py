"""What PostgreSQL itself keeps true of the resources tables, whatever the code in front of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from resources_service.db.tables import operating_rooms, room_exceptions
from servicekit.date_ranges import period
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

pytestmark = pytest.mark.integration

HOURS = {"monday": [{"start": "08:00", "end": "16:00"}]}


def at(hour: int) -> datetime:
    return datetime(2027, 5, 3, hour, tzinfo=UTC)


async def add_room(conn, code: str, **values) -> uuid.UUID:
    room_id = uuid.uuid4()
    row = {"room_id": room_id, "code": code, "name": code, "weekly_hours": HOURS, **values}
    await conn.execute(insert(operating_rooms).values(row))
    return room_id


async def add_window(conn, room_id: uuid.UUID, start: int, end: int) -> None:
    await conn.execute(
        insert(room_exceptions).values(
            exception_id=uuid.uuid4(),
            room_id=room_id,
            kind="closure",
            period=period(at(start), at(end)),
        )
    )


async def test_the_database_refuses_overlapping_windows_of_one_room(resources):
    async with resources.engine.begin() as conn:
        room_id = await add_room(conn, "OR-1")
        await add_window(conn, room_id, 8, 12)

    with pytest.raises(IntegrityError, match="ex_room_exceptions_no_overlap"):
        async with resources.engine.begin() as conn:
            await add_window(conn, room_id, 11, 13)


async def test_windows_that_touch_or_belong_to_other_rooms_may_share_time(resources):
    async with resources.engine.begin() as conn:
        room_id = await add_room(conn, "OR-1")
        other_id = await add_room(conn, "OR-2")
        await add_window(conn, room_id, 8, 12)
        await add_window(conn, room_id, 12, 14)
        await add_window(conn, other_id, 8, 12)


async def test_the_database_keeps_a_code_to_one_room_in_service_whatever_its_case(resources):
    async with resources.engine.begin() as conn:
        await add_room(conn, "or-7", retired_at=at(1), status="retired")
        await add_room(conn, "OR-7")

    with pytest.raises(IntegrityError, match="uq_operating_rooms_code"):
        async with resources.engine.begin() as conn:
            await add_room(conn, "Or-7")
