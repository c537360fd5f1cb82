"""Readiness tells the truth about the database, the broker's gauge about the broker; a stopping
consumer leaves no processed message uncommitted."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY
from servicekit.db import create_engine
from servicekit.health import BrokerWatch, KafkaProbe, database_problem
from servicekit.kafka import KafkaConnection
from servicekit.metrics import KAFKA_BROKER_REACHABLE
from sqlalchemy import make_url

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import (
    commit_events,
    effect_counts,
    make_consumer,
    make_relay,
    user_registered,
    wait_until,
)

pytestmark = pytest.mark.integration


async def test_readiness_probes_report_reachable_infrastructure():
    engine = create_engine(KIT_DATABASE_URL, pool_size=1)
    try:
        assert await database_problem(engine) is None
    finally:
        await engine.dispose()
    probe = KafkaProbe(KAFKA)
    try:
        assert await probe.check() is None
    finally:
        await probe.aclose()


async def test_the_broker_probe_asks_again_over_the_connection_it_keeps():
    probe = KafkaProbe(KAFKA, cache_seconds=0)
    try:
        assert await probe.check() is None
        assert await probe.check() is None
        kept = _open_connections(probe)
        assert len(kept) == 1
        for _ in range(3):
            assert await probe.check() is None
        assert _open_connections(probe) == kept
    finally:
        await probe.aclose()


def _open_connections(probe: KafkaProbe) -> list[object]:
    client = probe._client  # the connections are what the broker pays a handshake for
    assert client is not None
    return [conn for conn in client._conns.values() if conn.connected()]


async def test_readiness_probes_name_what_is_unreachable():
    nowhere = make_url(KIT_DATABASE_URL).set(port=1).render_as_string(hide_password=False)
    engine = create_engine(nowhere, pool_size=1)
    try:
        assert "database unreachable" in await database_problem(engine)
    finally:
        await engine.dispose()
    probe = KafkaProbe(KafkaConnection("127.0.0.1:1"))
    assert "kafka unreachable" in await probe.check()
    await probe.aclose()


@pytest.mark.parametrize(
    ("servers", "reachable"), [(KAFKA, 1.0), (KafkaConnection("127.0.0.1:1"), 0.0)]
)
async def test_the_broker_watch_sets_the_reachability_gauge_to_what_the_broker_answered(
    servers, reachable
):
    KAFKA_BROKER_REACHABLE.set(1.0 - reachable)  # the opposite, so the watch must change it
    stop = asyncio.Event()
    watching = asyncio.create_task(BrokerWatch(KafkaProbe(servers), every_seconds=0.1).run(stop))
    try:
        await wait_until(
            lambda: _gauge_is("kafka_broker_reachable", reachable), what=f"the gauge at {reachable}"
        )
    finally:
        stop.set()
        await asyncio.wait_for(watching, timeout=10)


async def _gauge_is(name: str, value: float) -> bool:
    return REGISTRY.get_sample_value(name) == value


async def test_a_stopped_consumer_has_committed_the_offset_of_everything_it_applied(
    engine, schema, topic
):
    await commit_events(engine, topic, [user_registered(i) for i in range(30)])
    group = f"g-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    workers = [
        make_relay(KIT_DATABASE_URL, schema, KAFKA),
        make_consumer(engine, topic, group, KAFKA),
    ]
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    await wait_until(lambda: _effects(engine, 30), what="30 effects")
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    probe = AIOKafkaConsumer(**KAFKA.client_options(), group_id=group, enable_auto_commit=False)
    await probe.start()
    try:
        assert await probe.committed(TopicPartition(topic, 0)) == 30
    finally:
        await probe.stop()


async def _effects(engine, n: int) -> bool:
    return len(await effect_counts(engine)) >= n


async def test_processed_event_ids_are_forgotten_only_after_the_retention(engine, topic):
    from sqlalchemy import text

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA)
    async with engine.begin() as conn:
        for age_days in (1, 29, 31, 400):
            await conn.execute(
                text(
                    "INSERT INTO processed_events (consumer_group, event_id, topic, processed_at)"
                    " VALUES (:g, :e, :t, now() - make_interval(days => :d))"
                ),
                {"g": group, "e": uuid.uuid4(), "t": topic, "d": age_days},
            )
        await conn.execute(
            text(
                "INSERT INTO processed_events (consumer_group, event_id, topic, processed_at)"
                " VALUES ('another-group', :e, :t, now() - interval '400 days')"
            ),
            {"e": uuid.uuid4(), "t": topic},
        )
    consumer._last_purge = float("-inf")
    await consumer._purge_if_due()
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT consumer_group, extract(day FROM now() - processed_at)::int"
                " FROM processed_events ORDER BY 1, 2"
            )
        )
        remaining = [tuple(row) for row in rows]
    assert remaining == [("another-group", 400), (group, 1), (group, 29)]
