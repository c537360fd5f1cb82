"""The outbox stores each envelope as the JSON object it is, from the text that was measured.

`OutboxWriter` serializes an envelope once and binds that text, cast to `jsonb` in SQL: were
the `JSONB` type to serialize it again, the row would hold one JSON string and the relay would
publish a quoted string instead of an envelope.
"""

from __future__ import annotations

import uuid

import pytest
from contracts.events.auth_users import UserRegistered
from servicekit.db import UnitOfWork
from servicekit.messaging.outbox import relayed_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

pytestmark = pytest.mark.integration

TOPIC = "test.outbox-text.v1"


def awkward_user() -> UserRegistered:
    """Text that looks like JSON, separators inside strings, quotes and non-ASCII letters."""
    return UserRegistered(
        user_id=uuid.uuid4(),
        email=f"zoë-{uuid.uuid4().hex[:6]}@example.org",
        display_name='{"name": "Zoë", "a":[1,2]} \\ "quoted", : ,\n\t☃',
        roles=["viewer", "nurse"],
        active=True,
    )


async def test_the_stored_envelope_is_the_events_envelope_as_an_object(engine: AsyncEngine):
    event = awkward_user()
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        envelope = await uow.outbox.add(event, topic=TOPIC)
        await uow.commit()
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT jsonb_typeof(envelope) AS kind, envelope, envelope::text AS printed,"
                    " topic, message_key, event_type FROM outbox WHERE event_id = :id"
                ),
                {"id": envelope.event_id},
            )
        ).one()
    assert row.kind == "object"
    assert row.envelope == envelope.model_dump(mode="json")
    assert row.envelope["data"] == event.model_dump(mode="json")
    assert (row.topic, row.message_key, row.event_type) == (
        TOPIC,
        str(event.user_id),
        "UserRegistered",
    )
    # The size the writer judges is the size of what the relay sends: PostgreSQL's print.
    measured = relayed_json(envelope.model_dump(mode="json")).encode()
    assert len(row.printed.encode()) == len(measured)


async def test_events_of_one_transaction_are_all_stored_and_a_rollback_stores_none(
    engine: AsyncEngine,
):
    sessions = async_sessionmaker(engine)
    async with UnitOfWork(sessions, producer="tests") as uow:
        kept = [await uow.outbox.add(awkward_user(), topic=TOPIC) for _ in range(3)]
        await uow.commit()
    async with UnitOfWork(sessions, producer="tests") as uow:
        dropped = await uow.outbox.add(awkward_user(), topic=TOPIC)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event_id, envelope FROM outbox ORDER BY id"))).all()
    assert [r.event_id for r in rows] == [e.event_id for e in kept]
    assert dropped.event_id not in {r.event_id for r in rows}
    assert [r.envelope for r in rows] == [e.model_dump(mode="json") for e in kept]
