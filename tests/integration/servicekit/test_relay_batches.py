"""The relay sends a partition's rows as record batches: many rows of one key, one round trip."""

from __future__ import annotations

from collections import defaultdict

import pytest
from aiokafka import AIOKafkaProducer
from servicekit.db import asyncpg_dsn
from servicekit.kafka import create_producer
from servicekit.messaging.relay import OutboxRelay, RelayConfig
from sqlalchemy import text

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import create_topic
from tests.integration.servicekit.effects import commit_events, user_registered
from tests.integration.servicekit.test_dead_letters import _headers, _read_all
from tests.integration.servicekit.test_delivery_guarantees import running

pytestmark = pytest.mark.integration

PARTITIONS = 3


class CountingProducers:
    """Makes the relay's producers and counts the produce requests they sent the broker."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self) -> AIOKafkaProducer:
        producer = create_producer(KAFKA, client_id="tests-relay-batches")
        send = producer.client.send

        async def counted(node_id, request, *args, **kwargs):
            self.requests += type(request).__name__.startswith("ProduceRequest")
            return await send(node_id, request, *args, **kwargs)

        producer.client.send = counted  # type: ignore[method-assign]
        return producer


async def test_rows_of_one_key_leave_in_a_few_batches_in_order(engine, schema):
    topic = await create_topic("relay-batches", partitions=PARTITIONS)
    busy = user_registered(0)
    # A record read 400 times among 100 other records' events: audit entries at a busy hour.
    events = []
    for n in range(500):
        if n % 5 == 4:
            events.append(user_registered(n))
        else:
            events.append(busy.model_copy(update={"display_name": f"Version {n}"}))
    await commit_events(engine, topic, events)
    producers = CountingProducers()
    relay = OutboxRelay(
        RelayConfig(
            dsn=asyncpg_dsn(KIT_DATABASE_URL),
            kafka=KAFKA,
            client_id="tests-relay-batches",
            poll_seconds=0.2,
            search_path=schema,
        ),
        producers,
    )
    async with running(relay):
        records = await _read_all(topic, expected=len(events))

    assert len(records) == len(events)
    by_key: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key[record.key.decode()].append(_headers(record)["event_id"])
    assert len(by_key[str(busy.user_id)]) == 400
    # Each key's events in the order they were committed (the outbox's id order).
    async with engine.connect() as conn:
        committed = (
            await conn.execute(text("SELECT message_key, event_id::text FROM outbox ORDER BY id"))
        ).all()
    expected: dict[str, list[str]] = defaultdict(list)
    for key, event_id in committed:
        expected[key].append(event_id)
    assert by_key == expected
    # One fetch of the outbox, a batch or two per partition (a request carries every
    # partition's); a round trip a row of the busy key would be 400.
    assert 1 <= producers.requests <= 2 * PARTITIONS
