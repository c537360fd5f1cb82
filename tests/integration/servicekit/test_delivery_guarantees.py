"""No event lost, none applied twice: the outbox, relay and idempotent consumer, for real."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from servicekit import audit
from servicekit.db import UnitOfWork
from servicekit.messaging.outbox import MAX_EVENT_BYTES, EventTooLarge
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL, ROOT
from tests.integration.servicekit.crashing_workers import CRASH_EXIT_CODE
from tests.integration.servicekit.effects import (
    commit_events,
    effect_counts,
    make_consumer,
    make_relay,
    outbox_ids,
    user_registered,
    wait_until,
)

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def running(*workers) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


def consumed(group: str, topic: str, outcome: str) -> float:
    labels = {"group": group, "topic": topic, "outcome": outcome}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


async def run_crashing(*args: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.servicekit.crashing_workers", *args, cwd=ROOT
    )
    try:
        return await asyncio.wait_for(process.wait(), timeout=90)
    finally:
        if process.returncode is None:
            process.kill()


async def all_applied_once(engine: AsyncEngine, expected: set[uuid.UUID]) -> None:
    counts = await effect_counts(engine)
    assert set(counts) == expected, f"missing {len(expected - set(counts))} effects"
    assert all(n == 1 for n in counts.values()), (
        f"applied twice: {[k for k, n in counts.items() if n > 1]}"
    )


async def test_committed_events_reach_the_consumer_exactly_once(engine, schema, topic):
    await commit_events(engine, topic, [user_registered(i) for i in range(50)])
    expected = set(await outbox_ids(engine))
    group = f"g-{uuid.uuid4().hex[:8]}"
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA), make_consumer(engine, topic, group, KAFKA)
    ):
        await wait_until(lambda: _has_all(engine, expected), what="all effects")
        assert await wait_until(lambda: _all_published(engine), what="outbox marked sent")
    await all_applied_once(engine, expected)


async def test_event_is_applied_once_when_the_relay_dies_after_publishing_before_marking_sent(
    engine, schema, topic
):
    await commit_events(engine, topic, [user_registered(i) for i in range(20)])
    expected = set(await outbox_ids(engine))

    exit_code = await run_crashing("relay", KIT_DATABASE_URL, schema, KAFKA.bootstrap_servers)

    assert exit_code == CRASH_EXIT_CODE
    assert set(await outbox_ids(engine, published=False)) == expected, "the dead relay marked rows"
    group = f"g-{uuid.uuid4().hex[:8]}"
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA), make_consumer(engine, topic, group, KAFKA)
    ):
        # Every event is on the topic twice now: the dead relay's copy and the republished one.
        await wait_until(
            lambda: _seen(group, topic, applied=20, duplicate=20),
            what="20 applied and 20 duplicates",
        )
    await all_applied_once(engine, expected)


async def test_event_is_applied_once_when_the_consumer_dies_after_db_commit_before_offset_commit(
    engine, schema, topic
):
    await commit_events(engine, topic, [user_registered(i) for i in range(20)])
    expected = set(await outbox_ids(engine))
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA)):
        await wait_until(lambda: _all_published(engine), what="outbox published")
    group = f"g-{uuid.uuid4().hex[:8]}"

    exit_code = await run_crashing(
        "consumer", KIT_DATABASE_URL, schema, KAFKA.bootstrap_servers, topic, group, "single"
    )

    assert exit_code == CRASH_EXIT_CODE
    applied_before_crash = await effect_counts(engine)
    assert applied_before_crash, "the dying consumer committed no effect before dying"
    async with running(make_consumer(engine, topic, group, KAFKA)):
        await wait_until(lambda: _has_all(engine, expected), what="all effects")
        # The batch whose offset was never committed came back and was recognised.
        await wait_until(
            lambda: _seen(group, topic, duplicate=len(applied_before_crash)),
            what="redelivered batch",
        )
    await all_applied_once(engine, expected)


async def test_no_event_is_lost_or_doubled_when_the_broker_is_killed_mid_stream(
    engine, schema, topic
):
    group = f"g-{uuid.uuid4().hex[:8]}"
    total = 300

    async def keep_committing() -> None:
        for i in range(total):
            await commit_events(engine, topic, [user_registered(i)])
            await asyncio.sleep(0.02)

    relay, consumer = (
        make_relay(KIT_DATABASE_URL, schema, KAFKA),
        make_consumer(engine, topic, group, KAFKA),
    )
    async with running(relay, consumer):
        writer = asyncio.create_task(keep_committing())
        await wait_until(lambda: _effects_at_least(engine, 60), what="first effects")
        await _broker("kill9")
        await asyncio.sleep(1.0)  # the stream goes on into the outbox while the broker is dead
        await _broker("start")
        await writer
        expected = set(await outbox_ids(engine))
        assert len(expected) == total
        await wait_until(
            lambda: _has_all(engine, expected), timeout=180, what="all effects after restart"
        )
    await all_applied_once(engine, expected)


async def test_a_rolled_back_transaction_publishes_nothing(engine, schema, topic):
    from servicekit.db import UnitOfWork
    from sqlalchemy.ext.asyncio import async_sessionmaker

    rolled_back = user_registered(1)
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        await uow.outbox.add(rolled_back, topic=topic)
        # leaving without commit rolls back
    marker = user_registered(2)
    await commit_events(engine, topic, [marker])
    group = f"g-{uuid.uuid4().hex[:8]}"
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA), make_consumer(engine, topic, group, KAFKA)
    ):
        await wait_until(lambda: _effects_at_least(engine, 1), what="the marker event")
    users = await _applied_users(engine)
    assert users == [marker.user_id]
    assert len(await outbox_ids(engine)) == 1


async def _broker(action: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "bash", "deploy/local/kafka.sh", action, cwd=ROOT
    )
    assert await asyncio.wait_for(process.wait(), timeout=120) == 0, f"kafka.sh {action} failed"


async def _has_all(engine: AsyncEngine, expected: set[uuid.UUID]) -> bool:
    return expected <= set(await effect_counts(engine))


async def _effects_at_least(engine: AsyncEngine, n: int) -> bool:
    return len(await effect_counts(engine)) >= n


async def _all_published(engine: AsyncEngine) -> bool:
    return not await outbox_ids(engine, published=False)


async def _seen(group: str, topic: str, *, applied: int = 0, duplicate: int = 0) -> bool:
    return (
        consumed(group, topic, "applied") >= applied
        and consumed(group, topic, "duplicate") >= duplicate
    )


async def _applied_users(engine: AsyncEngine) -> list[uuid.UUID]:
    from sqlalchemy import text

    async with engine.connect() as conn:
        return [
            row[0] for row in await conn.execute(text("SELECT user_id FROM effects ORDER BY id"))
        ]


async def test_an_event_too_large_for_kafka_is_refused_with_the_change_that_made_it(engine):
    # Once in the outbox it would stop the relay, and every later event, at its place for good.
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        with pytest.raises(EventTooLarge) as refused:
            await audit.record(
                uow,
                actor=audit.service_actor("tests"),
                action="record.change",
                record_type="record",
                record_id=uuid.uuid4(),
                details={"text": "x" * MAX_EVENT_BYTES},
            )
    assert refused.value.status == 422
    assert await outbox_ids(engine) == []
