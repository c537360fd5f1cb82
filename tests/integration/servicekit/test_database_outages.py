"""A database outage is no message's fault: the consumer waits, dead-letters nothing, and
applies every message exactly once when the database is back."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY
from servicekit.db import create_engine
from sqlalchemy import text

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.database_outage import database_hop
from tests.integration.servicekit.effects import (
    commit_events,
    make_consumer,
    make_relay,
    outbox_ids,
    record_effect,
    user_registered,
    wait_until,
)
from tests.integration.servicekit.test_delivery_guarantees import all_applied_once, running

pytestmark = pytest.mark.integration


def failed(group: str, topic: str, kind: str) -> float:
    labels = {"group": group, "topic": topic, "kind": kind}
    return REGISTRY.get_sample_value("events_failed_total", labels) or 0.0


def outages(group: str, topic: str, at_least: int):
    async def seen() -> bool:
        return failed(group, topic, "outage") >= at_least

    return seen


async def messages_in(topic: str) -> int:
    consumer = AIOKafkaConsumer(**KAFKA.client_options())
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, 0)]  # the tests' topics have one partition
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


async def test_a_database_restart_dead_letters_nothing_and_applies_each_message_once(
    engine, schema, topic
):
    await commit_events(engine, topic, [user_registered(n) for n in range(3)])
    expected = set(await outbox_ids(engine))
    group = f"g-{uuid.uuid4().hex[:8]}"
    async with database_hop(KIT_DATABASE_URL) as hop:
        await hop.set("starting")
        behind_hop = create_engine(hop.url(KIT_DATABASE_URL), pool_size=2, search_path=schema)
        consumer = make_consumer(behind_hop, topic, group, KAFKA, max_attempts=2)
        try:
            async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
                # More refusals than the message's attempts: each one would once have counted.
                await wait_until(outages(group, topic, 3), timeout=60, what="3 refusals at start")
                await hop.set("down")
                await wait_until(outages(group, topic, 5), timeout=60, what="refused connections")
                assert await effects_written(engine) == 0
                await hop.set("up")
                await wait_until(lambda: applied(engine, len(expected)), what="effects after")
        finally:
            await behind_hop.dispose()
    await all_applied_once(engine, expected)
    assert failed(group, topic, "dead_lettered") == 0
    assert await messages_in(topic + ".dlq") == 0


async def test_a_connection_terminated_mid_handler_is_retried_past_the_attempt_limit(
    engine, schema, topic
):
    await commit_events(engine, topic, [user_registered(0)])
    expected = set(await outbox_ids(engine))
    terminations = 0

    async def terminated_four_times(session, event, envelope) -> None:
        nonlocal terminations
        if terminations < 4:
            terminations += 1
            # FATAL 57P01 from the server, as on `pg_ctl stop -m fast` or a failover.
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await record_effect(session, event, envelope)

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(
        engine, topic, group, KAFKA, handler=terminated_four_times, max_attempts=2
    )
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
        await wait_until(lambda: applied(engine, 1), what="the effect after four terminations")
    await all_applied_once(engine, expected)
    assert terminations == 4
    assert failed(group, topic, "outage") == 4
    assert failed(group, topic, "dead_lettered") == 0


async def applied(engine, count: int) -> bool:
    return await effects_written(engine) >= count


async def effects_written(engine) -> int:
    """How many effects were written, read around the hop."""
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM effects"))).scalar_one()
