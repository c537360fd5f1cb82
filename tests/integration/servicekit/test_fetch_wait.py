"""An idle consumer long-polls the broker; while events flow its fetches wait briefly, and
long again once they stop."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.protocol.fetch import FetchRequest
from servicekit.kafka import (
    BUSY_FETCH_WAIT_MS,
    IDLE_AFTER_SECONDS,
    IDLE_FETCH_WAIT_MS,
    FetchWait,
    create_consumer,
    create_producer,
)

from tests.conftest import KAFKA

pytestmark = pytest.mark.integration


async def test_an_idle_consumer_sends_a_few_fetches_a_second_and_a_busy_one_fetches_briefly(topic):
    consumer = create_consumer(KAFKA, topic, group_id=f"g-{uuid.uuid4().hex[:8]}", client_id="t")
    await consumer.start()
    try:
        fetch_wait = FetchWait(consumer)
        fetches = _count_fetches(consumer)
        await _poll(consumer, fetch_wait, seconds=1.0)  # joined, assigned, positioned
        fetches.clear()
        await _poll(consumer, fetch_wait, seconds=2.0)
        assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
        assert len(fetches) <= 2 / (IDLE_FETCH_WAIT_MS / 1000) + 2  # 20 ms would send ~100

        await _publish(topic)
        records = await consumer.getmany(timeout_ms=5000)
        fetch_wait.polled(records=bool(records))
        assert records
        assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS
        fetches.clear()
        await asyncio.sleep(0.5)
        assert fetches and max(fetches) == BUSY_FETCH_WAIT_MS

        await _poll(consumer, fetch_wait, seconds=IDLE_AFTER_SECONDS + 0.5)
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


async def _poll(consumer: AIOKafkaConsumer, fetch_wait: FetchWait, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        records = await consumer.getmany(timeout_ms=100)
        fetch_wait.polled(records=bool(records))


async def _publish(topic: str) -> None:
    producer = create_producer(KAFKA, client_id="t")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()
