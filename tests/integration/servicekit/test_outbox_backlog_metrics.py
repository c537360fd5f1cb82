"""The relay's backlog gauges tell how many events wait and for how long, even with Kafka down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from servicekit.kafka import KafkaConnection
from servicekit.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_SECONDS
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import (
    commit_events,
    make_relay,
    user_registered,
    wait_until,
)

pytestmark = pytest.mark.integration

UNREACHABLE_KAFKA = KafkaConnection("127.0.0.1:9")  # the discard port: nothing listens there


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


@contextlib.asynccontextmanager
async def running(relay) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def test_the_backlog_and_the_oldest_events_age_show_while_kafka_is_unreachable(
    engine: AsyncEngine, schema: str
):
    await commit_events(engine, "test.unreachable.v1", [user_registered(n) for n in range(3)])
    await asyncio.sleep(1.2)
    async with running(make_relay(KIT_DATABASE_URL, schema, UNREACHABLE_KAFKA)):

        async def reported() -> bool:
            return gauge("outbox_backlog") == 3

        await wait_until(reported, timeout=20, what="outbox_backlog to show 3 waiting events")
        assert gauge("outbox_oldest_unpublished_age_seconds") >= 1.2


async def test_the_gauges_fall_to_zero_once_the_relay_has_published_everything(
    engine: AsyncEngine, schema: str, topic: str
):
    await commit_events(engine, topic, [user_registered(n) for n in range(3)])
    # Gauges start at 0: a value no relay reports shows that the 0 below is the relay's.
    OUTBOX_BACKLOG.set(-1)
    OUTBOX_OLDEST_SECONDS.set(-1)
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA)):

        async def drained() -> bool:
            return (
                gauge("outbox_backlog") == 0 and gauge("outbox_oldest_unpublished_age_seconds") == 0
            )

        await wait_until(drained, timeout=30, what="an empty outbox reported")
