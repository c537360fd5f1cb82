"""A consumer waiting for events long-polls the broker; while it applies records its fetches
wait briefly."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.protocol.fetch import FetchRequest
from servicekit.kafka import (
    BUSY_FETCH_WAIT_MS,
    IDLE_FETCH_WAIT_MS,
    FetchWait,
    create_consumer,
    create_producer,
)

from tests.conftest import KAFKA

pytestmark = pytest.mark.integration


async def test_a_waiting_consumer_fetches_a_few_times_a_second_and_an_applying_one_briefly(topic):
    consumer = create_consumer(KAFKA, topic, group_id=f"g-{uuid.uuid4().hex[:8]}", client_id="t")
    await consumer.start()
    try:
        fetch_wait = FetchWait(consumer)
        fetches = _count_fetches(consumer)
        assert await _poll(consumer, fetch_wait, seconds=1.0) == 0  # joined and positioned
        fetches.clear()
        assert await _poll(consumer, fetch_wait, seconds=2.0) == 0
        assert len(fetches) <= 2 / (IDLE_FETCH_WAIT_MS / 1000) + 2  # 20 ms would send ~100
        assert set(fetches) <= {IDLE_FETCH_WAIT_MS}

        await _publish(topic, 1)
        assert await _poll(consumer, fetch_wait, seconds=5.0, until_records=True) == 1
        assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS  # while it applies them
        fetches.clear()
        await asyncio.sleep(1.0)  # applying: the fetch sent on polling ends, then brief ones
        assert fetches.count(BUSY_FETCH_WAIT_MS) >= 3

        fetch_wait.polling()  # applied: waiting again
        assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
    finally:
        await consumer.stop()


def _count_fetches(consumer: AIOKafkaConsumer) -> list[int]:
    """The max wait of each fetch request the consumer sends to the broker from now on."""
    waits: list[int] = []
    client = consumer._client
    send = client.send

    async def counting_send(node_id, request, **kwargs):
        if isinstance(request, FetchRequest):
            waits.append(request._max_wait_ms)
        return await send(node_id, request, **kwargs)

    client.send = counting_send
    return waits


async def _poll(
    consumer: AIOKafkaConsumer, fetch_wait: FetchWait, *, seconds: float, until_records=False
) -> int:
    """Polls as the consumer's loop does for `seconds` (or until records came): how many came."""
    deadline, received = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        fetch_wait.polling()
        batch = await consumer.getmany(timeout_ms=100)
        count = sum(map(len, batch.values()))
        fetch_wait.polled(count)
        received += count
        if until_records and count:
            break
    return received


async def _publish(topic: str, count: int) -> None:
    producer = create_producer(KAFKA, client_id="t")
    await producer.start()
    try:
        sent = [await producer.send(topic, b"{}", key=b"k") for _ in range(count)]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
