"""A consumer waiting for events long-polls the broker; while it applies what a poll took it
fetches nothing, and the next poll's fetch brings everything that arrived meanwhile."""

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
    MAX_POLL_RECORDS,
    FetchWait,
    create_consumer,
    create_producer,
)

from tests.conftest import KAFKA

pytestmark = pytest.mark.integration


async def test_a_waiting_consumer_long_polls_and_an_applying_one_fetches_nothing(topic):
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
        assert fetch_wait.paused == consumer.assignment()  # while it applies them
        fetches.clear()
        await _publish(topic, 3)
        await asyncio.sleep(1.0)  # applying: no fetch, though events arrive
        assert fetches == []

        fetch_wait.polling()  # applied: one fetch brings what arrived meanwhile
        batch = await consumer.getmany(timeout_ms=5000)
        fetch_wait.polled(sum(map(len, batch.values())))
        assert sum(map(len, batch.values())) == 3
        assert fetches == [IDLE_FETCH_WAIT_MS]
    finally:
        await consumer.stop()


async def test_a_full_poll_fetches_ahead_with_a_short_wait(topic):
    consumer = create_consumer(KAFKA, topic, group_id=f"g-{uuid.uuid4().hex[:8]}", client_id="t")
    await consumer.start()
    try:
        fetch_wait = FetchWait(consumer)
        await _publish(topic, MAX_POLL_RECORDS + 50)
        received = await _poll(consumer, fetch_wait, seconds=5.0, until_records=True)
        assert received == MAX_POLL_RECORDS
        assert fetch_wait.paused == frozenset()  # what it left behind is applied next
        assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS
        fetch_wait.polling()
        assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS
        batch = await consumer.getmany(timeout_ms=5000)
        fetch_wait.polled(sum(map(len, batch.values())))
        assert sum(map(len, batch.values())) == 50
        assert fetch_wait.paused == consumer.assignment()  # all taken: nothing fetched ahead
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
