"""An outbox row the broker keeps refusing is parked with why; other keys go on, its key waits."""

from __future__ import annotations

import os

import pytest
from prometheus_client import REGISTRY
from servicekit.db import asyncpg_dsn
from servicekit.kafka import create_producer
from servicekit.messaging.relay import OutboxRelay, RelayConfig
from sqlalchemy import Text, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import create_topic
from tests.integration.servicekit.effects import commit_events, user_registered, wait_until
from tests.integration.servicekit.test_dead_letters import _read_all
from tests.integration.servicekit.test_delivery_guarantees import running

pytestmark = pytest.mark.integration

TOPIC_LIMIT_BYTES = 4096


async def small_topic() -> str:
    """A topic of the test's own that takes records of a few kilobytes only."""
    return await create_topic("parking", configs={"max.message.bytes": str(TOPIC_LIMIT_BYTES)})


def relay(schema: str) -> OutboxRelay:
    return OutboxRelay(
        RelayConfig(
            dsn=asyncpg_dsn(KIT_DATABASE_URL),
            kafka=KAFKA,
            client_id="tests-parking",
            poll_seconds=0.2,
            search_path=schema,
            max_attempts=2,
        ),
        lambda: create_producer(KAFKA, client_id="tests-parking"),
    )


async def outbox_rows(engine: AsyncEngine) -> list[dict]:
    """Every row in id order: the order the events were committed in."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT message_key, event_id, published_at, parked_at, park_reason, attempts "
                "FROM outbox ORDER BY id"
            )
        )
        return [row._asdict() for row in rows]


async def relayed_until_parked(
    engine: AsyncEngine, schema: str, *, sent: int, parked: int
) -> list[dict]:
    """Runs the relay until `sent` rows are published and the row at `parked` (in id order) is
    parked; every row then, as `outbox_rows`."""
    async with running(relay(schema)):

        async def settled() -> list[dict] | None:
            rows = await outbox_rows(engine)
            published = sum(row["published_at"] is not None for row in rows)
            return rows if published == sent and rows[parked]["parked_at"] is not None else None

        return await wait_until(settled, timeout=60, what=f"row {parked} parked, {sent} sent")


async def make_too_large(engine: AsyncEngine, row_id_of_key: str) -> None:
    """Pads the first row of a key; random bytes do not compress, so it stays too large."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE outbox SET envelope = envelope || jsonb_build_object('pad', :pad) "
                "WHERE id = (SELECT min(id) FROM outbox WHERE message_key = :key)"
            ).bindparams(bindparam("pad", type_=Text)),
            {"pad": os.urandom(3 * TOPIC_LIMIT_BYTES).hex(), "key": row_id_of_key},
        )


async def test_a_row_the_topic_refuses_is_parked_and_only_its_own_key_waits(engine, schema):
    topic = await small_topic()
    stuck = user_registered(0)
    same_key_later = stuck.model_copy(update={"display_name": "Same key, later"})
    events = [user_registered(1), stuck, user_registered(2), same_key_later, user_registered(3)]
    await commit_events(engine, topic, events)
    await make_too_large(engine, str(stuck.user_id))

    rows = await relayed_until_parked(engine, schema, sent=3, parked=1)
    assert REGISTRY.get_sample_value("outbox_parked_rows") == 1
    assert REGISTRY.get_sample_value("outbox_backlog") == 1  # the same key's later row

    parked, waiting = rows[1], rows[3]
    assert parked["attempts"] == 2
    assert parked["park_reason"].startswith("MessageSizeTooLargeError")
    assert parked["published_at"] is None
    assert waiting["message_key"] == str(stuck.user_id)
    assert (waiting["published_at"], waiting["parked_at"], waiting["attempts"]) == (None, None, 0)
    published = [record.key.decode() for record in await _read_all(topic, expected=3)]
    assert published == [rows[i]["message_key"] for i in (0, 2, 4)]


async def test_the_waiting_row_follows_once_the_parked_row_is_released(engine, schema):
    topic = await small_topic()
    stuck = user_registered(0)
    await commit_events(engine, topic, [stuck, stuck.model_copy(update={"display_name": "Later"})])
    await make_too_large(engine, str(stuck.user_id))
    async with running(relay(schema)):

        async def parked() -> bool:
            return (await outbox_rows(engine))[0]["parked_at"] is not None

        await wait_until(parked, timeout=60, what="the large row parked")
        # What an operator does once the topic takes it, or the row is given up on (docs).
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE outbox SET published_at = now() WHERE parked_at IS NOT NULL")
            )

        async def released() -> bool:
            return (await outbox_rows(engine))[1]["published_at"] is not None

        await wait_until(released, timeout=30, what="the later row of the key published")
        assert REGISTRY.get_sample_value("outbox_parked_rows") == 0


async def test_on_several_partitions_every_other_row_goes_on_and_is_sent_once(engine, schema):
    """The relay sends a record batch per partition: the batch holding the large row fails
    whole, and its partition's rows are then sent one by one; every row but the large one
    arrives, once, and the large one is parked."""
    topic = await create_topic(
        "parking", partitions=3, configs={"max.message.bytes": str(TOPIC_LIMIT_BYTES)}
    )
    stuck = user_registered(0)
    others = [user_registered(n) for n in range(1, 31)]
    events = [*others[:15], stuck, *others[15:]]
    await commit_events(engine, topic, events)
    await make_too_large(engine, str(stuck.user_id))

    rows = await relayed_until_parked(engine, schema, sent=len(others), parked=15)
    assert rows[15]["attempts"] == 2
    records = await _read_all(topic, expected=len(others))
    assert len(records) == len(others)
    assert sorted(record.key.decode() for record in records) == sorted(
        str(event.user_id) for event in others
    )
