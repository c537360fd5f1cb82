"""End-to-end event latency: outbox commit -> relay -> Kafka -> consumer's database commit.

Two relays are measured side by side in one run on the same machine, database and broker:
the real one, woken by LISTEN/NOTIFY on commit, and the same relay with the wake-up removed
(polling only, every 1 s), so the ratio shows what NOTIFY buys.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.envelope import Envelope
from servicekit.db import UnitOfWork, create_engine
from servicekit.messaging.consumer import IdempotentConsumer
from servicekit.messaging.relay import OutboxRelay
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import (
    create_schema,
    make_consumer,
    make_relay,
    user_registered,
)

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000"))
RATE_PER_SECOND = 200


class TimedConsumer(IdempotentConsumer):
    """Notes when each event's transaction has committed."""

    committed: dict[uuid.UUID, float]

    async def apply(self, envelope: Envelope, event, handler, topic: str) -> str:
        outcome = await super().apply(envelope, event, handler, topic)
        self.committed[envelope.event_id] = time.perf_counter()
        return outcome


class PollingOnlyRelay(OutboxRelay):
    """The same relay, deaf to NOTIFY: it finds new rows only on its poll."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake = _NeverSet()


class _NeverSet(asyncio.Event):
    def set(self) -> None:
        pass


async def measure(relay_class: type[OutboxRelay], events: int) -> list[float]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    topic = f"bench.{uuid.uuid4().hex[:10]}.v1"
    admin_engine = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with admin_engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 3, 1), NewTopic(topic + ".dlq", 1, 1)])
    await admin.close()
    engine = create_engine(KIT_DATABASE_URL, pool_size=5, search_path=schema)
    await create_schema(engine)

    consumer = make_consumer(engine, topic, f"bench-{schema}", KAFKA, TimedConsumer)
    consumer.committed = {}
    relay = make_relay(KIT_DATABASE_URL, schema, KAFKA, relay_class)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in (relay, consumer)]
    try:
        await _warm_up(engine, topic, consumer)
        committed_at: dict[uuid.UUID, float] = {}
        interval = 1 / RATE_PER_SECOND
        for i in range(events):
            started = time.perf_counter()
            event = user_registered(i)
            event_id = await _commit_one(engine, topic, event)
            committed_at[event_id] = time.perf_counter()
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
        deadline = time.perf_counter() + 120
        while len(committed_at.keys() & consumer.committed.keys()) < events:
            if time.perf_counter() > deadline:
                raise RuntimeError("events did not all arrive within 120 s")
            await asyncio.sleep(0.05)
        return [consumer.committed[k] - committed_at[k] for k in committed_at]
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await engine.dispose()
        async with admin_engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin_engine.dispose()


async def _commit_one(engine, topic: str, event) -> uuid.UUID:
    async with UnitOfWork(async_sessionmaker(engine), producer="bench") as uow:
        envelope = await uow.outbox.add(event, topic=topic)
        await uow.commit()
    return envelope.event_id


async def _warm_up(engine, topic: str, consumer: TimedConsumer) -> None:
    event_id = await _commit_one(engine, topic, user_registered(-1))
    deadline = time.perf_counter() + 60
    while event_id not in consumer.committed:
        if time.perf_counter() > deadline:
            raise RuntimeError("warm-up event never arrived")
        await asyncio.sleep(0.05)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


async def main() -> None:
    print(f"\n== event latency: outbox commit -> consumer commit, {EVENTS} events")
    print(f"   committed one per transaction at {RATE_PER_SECOND}/s")
    notify = await measure(OutboxRelay, EVENTS)
    polling = await measure(PollingOnlyRelay, max(EVENTS // 4, 100))
    rows = []
    for name, values in (("LISTEN/NOTIFY relay", notify), ("polling-only relay (1 s)", polling)):
        p50, p99 = _percentile(values, 0.5) * 1000, _percentile(values, 0.99) * 1000
        rows.append((name, len(values), p50, p99, max(values) * 1000))
    print(f"{'relay':<28}{'events':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, n, p50, p99, worst in rows:
        print(f"{name:<28}{n:>8}{p50:>10.1f}{p99:>10.1f}{worst:>10.1f}")
    (_, _, notify_p50, notify_p99, _), (_, _, poll_p50, poll_p99, _) = rows
    print(f"ratio polling/notify: p50 {poll_p50 / notify_p50:.1f}x,", end=" ")
    print(f"p99 {poll_p99 / notify_p99:.1f}x")
